import {NRI_FIELDS, PLUGINS_NAMESPACE} from '../../registry/dockerd-facts.js'
import type {RuleContext} from './context.js'
import {describeJson} from './types.js'

/**
 * verifyDaemonSettings (daemon/daemon_unix.go, v20.10.24 through docker-v29.7.2), at start:
 * `if conf.ContainerdNamespace == conf.ContainerdPluginNamespace`. The plugins namespace is
 * "plugins.moby" unless --containerd-plugins-namespace is passed (no file key can set it). From
 * 26.0, userns-remap appends "-uid.gid" to the plugins namespace first (RemapContainerdNamespaces),
 * so the two cannot be equal then.
 */
export function containerdNamespaceRule(ctx: RuleContext): void {
  const entry = ctx.get('containerd-namespace')
  const namespace = ctx.str('containerd-namespace')
  if (entry === undefined || namespace !== PLUGINS_NAMESPACE) return
  const remap = ctx.str('userns-remap')
  if (remap !== undefined && remap !== '' && ctx.atLeast('26.0.0')) return
  ctx.report({
    code: 'containerd-namespace-conflict',
    severity: 'error',
    key: 'containerd-namespace',
    at: entry.at,
    message: `"containerd-namespace" ${JSON.stringify(namespace)} is the namespace dockerd uses for plugins: dockerd fails at start ("containers namespace and plugins namespace cannot be the same"), unless it runs with another --containerd-plugins-namespace`,
    checkedAt: 'start',
    hint: 'pick another name, or delete the key for the default "moby"',
  })
}

/**
 * nri-opts decodes into opts.NRIOpts with DisallowUnknownFields (daemon/pkg/opts/nri_opts.go,
 * docker-v29.2.0+) while the file is loaded, so --validate sees these. Go matches the field names
 * case-insensitively. Before 29.2 the key itself is unknown and reported as key-not-yet instead.
 */
export function nriOptsRules(ctx: RuleContext): void {
  const entry = ctx.get('nri-opts')
  if (entry === undefined) return
  for (const member of entry.members()) {
    const want = NRI_FIELDS[member.key.toLowerCase()]
    if (want === undefined) {
      ctx.report({
        code: 'nri-opts-unknown-field',
        severity: 'error',
        key: 'nri-opts',
        at: member.keyAt,
        message: `"nri-opts" "${member.key}" is not an NRI option: dockerd cannot decode the file ('json: unknown field "${member.key}"')`,
        checkedAt: 'config',
        hint: `nri-opts takes ${Object.keys(NRI_FIELDS)
          .map((k) => `"${k}"`)
          .join(', ')}`,
      })
    } else if (member.type !== want && member.type !== 'null') {
      ctx.report({
        code: 'wrong-type',
        severity: 'error',
        key: 'nri-opts',
        at: member.at,
        message: `"nri-opts.${member.key}" must be ${want === 'boolean' ? 'true or false' : 'a string'}, not ${describeJson(member)}: ${ctx.dockerd()} cannot decode the file`,
        checkedAt: 'config',
        hint: want === 'boolean' ? 'write true or false without quotes' : 'write the path as a string',
      })
    }
  }
}

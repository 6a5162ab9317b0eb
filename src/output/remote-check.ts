import {type CheckResult, SEVERITY_RANK, type StepFailure} from '../remote/endpoint-verdict.js'
import {EXPIRY_WARNING_DAYS} from '../remote/certificate-info.js'
import type {EndpointCheck, RemoteCheckReport} from '../remote/check-endpoints.js'
import {renderTable} from './table.js'

/**
 * The whole report: one endpoint gets its step table; several get a table with one row each
 * (ENDPOINT, CONTEXT, RESULT, DETAIL), then the step table of each one that did not pass.
 */
export function renderCheckReport(report: RemoteCheckReport): string {
  if (report.results.length === 1 && report.results[0]) return renderCheckTable(report.results[0])
  const rows = report.results.map((r) => [
    r.endpoint,
    r.context ?? '-',
    r.ok ? (r.verdict === 'warning' ? 'WARN' : 'ok') : r.verdict === 'CRITICAL' ? 'CRITICAL' : 'FAIL',
    rowDetail(r),
  ])
  const failed = report.results.filter((r) => !r.ok)
  const passed = report.results.length - failed.length
  const out = [renderTable(['ENDPOINT', 'CONTEXT', 'RESULT', 'DETAIL'], rows, {maxWidths: [60, 40, undefined, 120]}), '', `${passed} of ${report.results.length} endpoints passed`]
  for (const r of failed) out.push('', renderCheckTable(r).trimEnd())
  return `${out.join('\n')}\n`
}

/** A row's detail: the worst finding of an endpoint that failed or warns, else what answered and how fast. */
function rowDetail(r: EndpointCheck): string {
  const worst = [...r.findings].sort((x, y) => SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity])[0]
  if (!r.ok || r.verdict === 'warning') return oneLine(worst?.message ?? r.verdict)
  const v = r.version
  return `Docker ${v?.version ?? '?'}, API ${v?.apiVersion ?? '?'}${r.latencyMs === undefined ? '' : `, ${r.latencyMs} ms`}`
}

/** Messages quote what an endpoint said: never let it break the table. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t\0]+/g, ' ')
}

/**
 * Human view of a remote check: one row per step (STEP, RESULT, DETAIL), then the findings with
 * their fixes, worst first. Pure text without colour: the command layer decides about colour.
 */
export function renderCheckTable(result: CheckResult & {context?: string}): string {
  const rows: Array<[string, string, string]> = []
  const r = result
  rows.push(['resolve', r.resolve.ok ? 'ok' : 'FAIL', r.resolve.ok ? `${r.resolve.addresses.join(', ')} (${r.resolve.ms} ms)` : failureText(r.resolve.error)])
  if (r.connect !== undefined) {
    rows.push(['tcp connect', r.connect.ok ? 'ok' : 'FAIL', r.connect.ok ? `${r.connect.address ?? ''} (${r.connect.ms} ms)` : failureText(r.connect.error)])
  }
  if (r.tls !== undefined) {
    const t = r.tls
    if (!t.ok) {
      rows.push(['tls handshake', r.transport === 'plaintext' ? 'NONE' : 'FAIL', r.transport === 'plaintext' ? 'port speaks plain HTTP' : failureText(t.error)])
    } else {
      rows.push(['tls handshake', 'ok', `${t.protocol ?? '?'} ${t.cipher ?? ''} (${t.ms} ms)`.trim()])
      rows.push(['certificate chain', t.chainVerified ? 'ok' : 'FAIL', t.chainVerified ? `issued by ${t.certificate?.issuer ?? '?'}` : (t.chainError ?? 'not verified')])
      if (t.certificate !== undefined) {
        const c = t.certificate
        const sans = [...c.dnsNames, ...c.ipAddresses].join(', ') || 'none'
        rows.push(['name in certificate', t.nameMatches ? 'ok' : 'FAIL', `${r.host} ${t.nameMatches ? 'covered' : 'NOT covered'}; SANs: ${sans}`])
        rows.push(['certificate expiry', c.expired ? 'FAIL' : c.daysUntilExpiry < EXPIRY_WARNING_DAYS ? 'WARN' : 'ok', `${c.daysUntilExpiry} days left (${c.notAfter})`])
      }
    }
  }
  if (r.clientCertificate !== undefined) {
    const required = r.clientCertificate.required
    rows.push(['client cert demanded', required === true ? 'ok' : required === false ? 'NO' : '?', r.clientCertificate.detail])
  }
  if (r.ping !== undefined) {
    const p = r.ping
    const detail =
      p.status === undefined
        ? failureText(p.error)
        : `HTTP ${p.status} ${JSON.stringify(p.body ?? '')} over ${p.transport}${p.apiVersion ? `, Api-Version ${p.apiVersion}` : ''}${p.server ? `, ${p.server}` : ''} (${p.ms} ms)`
    rows.push(['GET /_ping', p.ok ? 'ok' : 'FAIL', detail])
  }
  if (r.version !== undefined) {
    const v = r.version
    rows.push([
      'GET /version',
      v.ok ? 'ok' : 'FAIL',
      v.ok ? `Docker ${v.version ?? '?'}, API ${v.apiVersion ?? '?'} (min ${v.minApiVersion ?? '?'}), ${v.os ?? '?'}/${v.arch ?? '?'}` : failureText(v.error),
    ])
  }
  const width = Math.max(...rows.map(([step]) => step.length), 'STEP'.length)
  const statusWidth = Math.max(...rows.map(([, status]) => status.length), 'RESULT'.length)
  const line = (a: string, b: string, c: string): string => `${a.padEnd(width)}  ${b.padEnd(statusWidth)}  ${c}`.trimEnd()
  const out = [
    `${r.endpoint}${result.context === undefined ? '' : ` (context ${result.context})`}: ${verdictLabel(r)}`,
    '',
    line('STEP', 'RESULT', 'DETAIL'),
    ...rows.map(([a, b, c]) => line(a, b, c)),
  ]
  const findings = [...r.findings].sort((x, y) => SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity])
  if (findings.length > 0) {
    out.push('')
    for (const f of findings) {
      out.push(`${f.severity.toUpperCase().padEnd(8)} ${f.message}`)
      if (f.fix !== undefined) out.push(`${' '.repeat(9)}fix: ${f.fix}`)
    }
  }
  return `${out.join('\n')}\n`
}

function verdictLabel(r: CheckResult): string {
  switch (r.verdict) {
    case 'CRITICAL':
      return 'CRITICAL — the Docker API is open without client authentication'
    case 'error':
      return 'FAILED'
    case 'warning':
      return `OK with warnings${r.latencyMs === undefined ? '' : ` (latency ${r.latencyMs} ms)`}`
    case 'ok':
      return `OK${r.latencyMs === undefined ? '' : ` (latency ${r.latencyMs} ms)`}`
  }
}

function failureText(error: StepFailure | undefined): string {
  if (error === undefined) return 'failed'
  return `${error.kind}: ${error.message}`
}

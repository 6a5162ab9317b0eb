/**
 * The files dockcfg manages on a host, by path: what planners write, what a rollback may restore
 * (src/backup/restorable.ts) and what output never shows (src/changes/redact.ts). Facts, not code:
 * the modules at every layer that need them import nothing else for them.
 */

/** The daemon.json dockerd reads unless --config-file says otherwise. */
export const DEFAULT_CONFIG_FILE = '/etc/docker/daemon.json'

/** Where dockcfg writes docker.service drop-ins (systemd's admin directory for the unit). */
export const DROPIN_DIR = '/etc/systemd/system/docker.service.d'

/**
 * Where `remote enable` keeps this host's TLS material. One directory, root-only: the server
 * bundle dockerd reads (ca.pem, server-cert.pem, server-key.pem), the host-local CA key when no
 * shared CA was given (ca.pem + ca-key.pem make it a CA directory `remote client-cert --ca` reads),
 * and the client bundle that CA issued (client/).
 */
export const TLS_DIR = '/etc/docker/tls'

/** File names of a CA directory. */
export const CA_FILES = {cert: 'ca.pem', key: 'ca-key.pem'} as const
/** File names of a server bundle (dockerd's tlscacert / tlscert / tlskey). */
export const SERVER_FILES = {ca: 'ca.pem', cert: 'server-cert.pem', key: 'server-key.pem'} as const
/** The names the docker CLI looks for in DOCKER_CERT_PATH. */
export const CLIENT_FILES = {ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem'} as const

export const TLS_PATHS = {
  ca: `${TLS_DIR}/${SERVER_FILES.ca}`,
  caKey: `${TLS_DIR}/${CA_FILES.key}`,
  cert: `${TLS_DIR}/${SERVER_FILES.cert}`,
  key: `${TLS_DIR}/${SERVER_FILES.key}`,
  clientDir: `${TLS_DIR}/client`,
} as const

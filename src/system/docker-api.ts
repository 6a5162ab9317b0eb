/**
 * The Docker Engine API seam: a few calls over the daemon's unix socket with Node's http (no
 * client library: dockcfg needs ping, info, version, one network, the container list, events, and
 * to stop a container).
 * Loaded lazily by the commands that talk to dockerd.
 */
export interface DockerApi {
  ping(): Promise<boolean>
  info(): Promise<DockerInfo>
  version(): Promise<Record<string, unknown>>
  network(name: string): Promise<Record<string, unknown> | undefined>
  runningContainers(): Promise<ContainerSummary[]>
  /** POST /containers/{id}/stop: SIGTERM, then SIGKILL after the container's stop timeout. A container already stopped or gone is fine. */
  stopContainer(id: string, timeoutMs: number): Promise<void>
  /** POST /containers/{id}/start. A container already running is fine. */
  startContainer(id: string, timeoutMs: number): Promise<void>
  /** Daemon events between two Unix times (seconds), e.g. to find a `reload`. */
  daemonEvents(since: number, until: number): Promise<Array<{Action?: string; Actor?: {Attributes?: Record<string, string>}; time?: number}>>
}

export interface DockerInfo {
  [key: string]: unknown
  Debug?: boolean
  Labels?: string[]
  LiveRestoreEnabled?: boolean
  Driver?: string
  DockerRootDir?: string
  LoggingDriver?: string
  RegistryConfig?: {Mirrors?: string[]; InsecureRegistryCIDRs?: string[]; IndexConfigs?: Record<string, {Secure?: boolean}>}
  Warnings?: string[] | null
  ContainersRunning?: number
}

export interface ContainerSummary {
  Id: string
  Names: string[]
  Image: string
  State: string
  /** "default", "bridge", "host", "none", "container:<id>" or a network's name. */
  HostConfig?: {NetworkMode?: string}
}

export class DockerApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'DockerApiError'
  }
}

export class UnixSocketDockerApi implements DockerApi {
  constructor(
    /** Host path of the socket (already mapped under --root by the caller). */
    private readonly socketPath: string,
    private readonly timeoutMs = 5000,
  ) {}

  async ping(): Promise<boolean> {
    try {
      const {status, body} = await this.request('/_ping')
      return status === 200 && body.trim() === 'OK'
    } catch {
      return false
    }
  }

  async info(): Promise<DockerInfo> {
    return (await this.json('/info')) as DockerInfo
  }

  async version(): Promise<Record<string, unknown>> {
    return (await this.json('/version')) as Record<string, unknown>
  }

  async network(name: string): Promise<Record<string, unknown> | undefined> {
    const {status, body} = await this.request(`/networks/${encodeURIComponent(name)}`)
    if (status === 404) return undefined
    if (status !== 200) throw new DockerApiError(`GET /networks/${name}: HTTP ${status}: ${body.trim()}`, status)
    return JSON.parse(body) as Record<string, unknown>
  }

  async runningContainers(): Promise<ContainerSummary[]> {
    return (await this.json('/containers/json')) as ContainerSummary[]
  }

  async stopContainer(id: string, timeoutMs: number): Promise<void> {
    const path = `/containers/${encodeURIComponent(id)}/stop`
    const {status, body} = await this.request(path, {method: 'POST', timeoutMs})
    // 204 stopped, 304 already stopped, 404 gone meanwhile: stopped either way.
    if (status !== 204 && status !== 304 && status !== 404) throw new DockerApiError(`POST ${path}: HTTP ${status}: ${body.trim()}`, status)
  }

  async startContainer(id: string, timeoutMs: number): Promise<void> {
    const path = `/containers/${encodeURIComponent(id)}/start`
    const {status, body} = await this.request(path, {method: 'POST', timeoutMs})
    // 204 started, 304 already running.
    if (status !== 204 && status !== 304) throw new DockerApiError(`POST ${path}: HTTP ${status}: ${body.trim()}`, status)
  }

  async daemonEvents(since: number, until: number): Promise<Array<{Action?: string; Actor?: {Attributes?: Record<string, string>}; time?: number}>> {
    const filters = encodeURIComponent(JSON.stringify({type: ['daemon']}))
    const {status, body} = await this.request(`/events?since=${since}&until=${until}&filters=${filters}`)
    if (status !== 200) throw new DockerApiError(`GET /events: HTTP ${status}`, status)
    return body
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as {Action?: string; Actor?: {Attributes?: Record<string, string>}; time?: number})
  }

  private async json(path: string): Promise<unknown> {
    const {status, body} = await this.request(path)
    if (status !== 200) throw new DockerApiError(`GET ${path}: HTTP ${status}: ${body.trim()}`, status)
    return JSON.parse(body) as unknown
  }

  private async request(path: string, options: {method?: 'GET' | 'POST'; timeoutMs?: number} = {}): Promise<{status: number; body: string}> {
    const http = await import('node:http')
    const method = options.method ?? 'GET'
    const timeoutMs = options.timeoutMs ?? this.timeoutMs
    return new Promise((resolve, reject) => {
      const req = http.request({socketPath: this.socketPath, path, method, headers: {Host: 'docker'}, timeout: timeoutMs}, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
        res.on('error', reject)
      })
      req.on('timeout', () => req.destroy(new DockerApiError(`${method} ${path} on ${this.socketPath}: no answer within ${timeoutMs} ms`)))
      req.on('error', reject)
      req.end()
    })
  }
}

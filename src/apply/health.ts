import type {DockerApi} from '../system/docker-api.js'
import type {ServiceManager} from '../system/service-manager.js'
import type {Clock} from '../system/clock.js'
import type {System} from '../system/index.js'

export const DOCKER_UNIT = 'docker.service'
const STATE_PROPS = ['ActiveState', 'SubState', 'Result', 'InvocationID', 'MainPID', 'ExecMainStatus'] as const

export interface UnitState {
  ActiveState: string
  SubState: string
  Result: string
  InvocationID: string
  MainPID: string
  ExecMainStatus: string
}

export async function unitState(services: ServiceManager): Promise<UnitState> {
  const props = await services.show(DOCKER_UNIT, STATE_PROPS)
  return {
    ActiveState: props.ActiveState ?? '',
    SubState: props.SubState ?? '',
    Result: props.Result ?? '',
    InvocationID: props.InvocationID ?? '',
    MainPID: props.MainPID ?? '0',
    ExecMainStatus: props.ExecMainStatus ?? '',
  }
}

export type HealthOutcome = {healthy: true; state: UnitState} | {healthy: false; state: UnitState; reason: string}
export type Unhealthy = Extract<HealthOutcome, {healthy: false}>

/**
 * Waits until docker.service is active in a NEW invocation (not the one that ran before the
 * restart) and the API answers /_ping, or until the start has visibly failed, or the deadline.
 * A unit in auto-restart counts as failed: its start already failed once, and waiting for
 * systemd's retries would only burn the start limit.
 */
export async function waitHealthy(
  services: ServiceManager,
  api: DockerApi,
  clock: Clock,
  options: {deadline: number; notInvocation?: string; onTick?: (state: UnitState) => void},
): Promise<HealthOutcome> {
  let state = await unitState(services)
  let pause = POLL_FIRST_MS
  for (;;) {
    options.onTick?.(state)
    const fresh = options.notInvocation === undefined || (state.InvocationID !== '' && state.InvocationID !== options.notInvocation)
    if (fresh && state.ActiveState === 'active' && state.SubState === 'running' && (await api.ping())) return {healthy: true, state}
    if (fresh && (state.ActiveState === 'failed' || state.SubState === 'auto-restart' || (state.ActiveState === 'inactive' && state.Result !== 'success'))) {
      return {healthy: false, state, reason: `docker.service ${state.ActiveState} (${state.SubState}, result ${state.Result}, exit status ${state.ExecMainStatus})`}
    }
    if (clock.now().getTime() > options.deadline) {
      return {healthy: false, state, reason: `docker.service did not become healthy in time (state ${state.ActiveState}/${state.SubState})`}
    }
    await clock.sleep(pause)
    pause = Math.min(pause * 2, POLL_MAX_MS)
    state = await unitState(services)
  }
}

/**
 * Polling starts fast and backs off: dockerd comes up in about half a second, and every look is a
 * `systemctl show` (a process), so a fixed 250 ms cost ~125 ms per wait on average and a fixed
 * short pause would crowd a busy host with processes while dockerd starts.
 */
const POLL_FIRST_MS = 20
const POLL_MAX_MS = 160

export const DOCKER_SOCKET = 'docker.socket'

/** What stopDocker found, for startDocker. */
export interface Stopped {
  /** The invocation that was stopped: any other one seen later began after the stop. */
  stale: string | undefined
  /** docker.socket exists and was stopped too: start it again before the service. */
  socket: boolean
}

/**
 * Stops docker.service (and docker.socket, when the unit has one) and waits until it is down.
 *
 * Stopping first matters twice. It cancels a pending automatic restart (Restart=on-failure,
 * RestartSec=2): seen on a test host, systemd's own retry started dockerd while a rollback was
 * putting files back one by one, on the restored daemon.json but the not-yet-restored drop-in;
 * and a plain `systemctl restart` issued then was merged into that start, so no new invocation
 * ever appeared. And the socket: that half-restored dockerd ran without -H fd://, so it unlinked
 * /run/docker.sock and created its own, which it removed on exit; the next dockerd got
 * docker.socket's fd, now nameless, and nothing could reach the API by path. Stopping the socket
 * with the service and starting both makes systemd create the path afresh.
 */
export async function stopDocker(services: ServiceManager, clock: Clock, deadline: number): Promise<{ok: true; stopped: Stopped} | {ok: false; outcome: Unhealthy}> {
  const socket = (await services.show(DOCKER_SOCKET, ['LoadState'])).LoadState === 'loaded'
  await services.stop(socket ? [DOCKER_UNIT, DOCKER_SOCKET] : [DOCKER_UNIT], {waitMs: deadline - clock.now().getTime()})
  for (let pause = POLL_FIRST_MS; ; pause = Math.min(pause * 2, POLL_MAX_MS)) {
    const state = await unitState(services)
    if (state.ActiveState === 'inactive' || state.ActiveState === 'failed') return {ok: true, stopped: {stale: state.InvocationID || undefined, socket}}
    if (clock.now().getTime() > deadline)
      return {ok: false, outcome: {healthy: false, state, reason: `docker.service did not stop in time (state ${state.ActiveState}/${state.SubState})`}}
    await clock.sleep(pause)
  }
}

/** Starts what stopDocker stopped, and waits for a start that is not the stopped invocation. */
export async function startDocker(
  services: ServiceManager,
  api: DockerApi,
  clock: Clock,
  options: {deadline: number; stopped: Stopped; onTick?: (state: UnitState) => void},
): Promise<HealthOutcome> {
  // A start limit hit by earlier failures must never mask the outcome of this start.
  await services.resetFailed([DOCKER_UNIT, DOCKER_SOCKET])
  await services.start(options.stopped.socket ? [DOCKER_SOCKET, DOCKER_UNIT] : [DOCKER_UNIT], {waitMs: options.deadline - clock.now().getTime()})
  const {stale} = options.stopped
  return waitHealthy(services, api, clock, {deadline: options.deadline, ...(stale ? {notInvocation: stale} : {}), ...(options.onTick ? {onTick: options.onTick} : {})})
}

/**
 * `dockcfg restart`: one `systemctl --no-block restart docker.socket docker.service` (the socket
 * only when the unit has one), then the wait for a new invocation. Killed at any moment after it
 * is issued, dockcfg cannot leave either unit stopped: systemd carries the jobs out by itself. The
 * stop-then-start above would leave both down if killed in between, and neither of its reasons
 * holds here: no file changes under this restart (it holds the lock), so no automatic restart can
 * catch a half-written set; and the socket is restarted in the same call, so its path is created
 * afresh for a dockerd that left it nameless. A pending automatic restart is replaced by the job.
 */
export async function restartAsOneJob(
  services: ServiceManager,
  api: DockerApi,
  clock: Clock,
  options: {deadline: number; issued?: () => Promise<void>; onTick?: (state: UnitState) => void},
): Promise<HealthOutcome> {
  const before = await unitState(services)
  const socket = (await services.show(DOCKER_SOCKET, ['LoadState'])).LoadState === 'loaded'
  // A start limit hit by earlier failures must never mask the outcome of this start.
  await services.resetFailed([DOCKER_UNIT, DOCKER_SOCKET])
  await services.restart(socket ? [DOCKER_SOCKET, DOCKER_UNIT] : [DOCKER_UNIT])
  await options.issued?.()
  return waitHealthy(services, api, clock, {
    deadline: options.deadline,
    ...(before.InvocationID ? {notInvocation: before.InvocationID} : {}),
    ...(options.onTick ? {onTick: options.onTick} : {}),
  })
}

/**
 * stopDocker then startDocker: a restart whose outcome is certainly that of the files as they are
 * now. `whileStopping` (the journal cursor, say) runs alongside the stop and is settled before the
 * start, so it is in time for what the start logs.
 */
export async function restartFresh(
  services: ServiceManager,
  api: DockerApi,
  clock: Clock,
  options: {deadline: number; onTick?: (state: UnitState) => void; whileStopping?: Promise<unknown>},
): Promise<HealthOutcome> {
  const stop = await stopDocker(services, clock, options.deadline)
  await options.whileStopping?.catch(() => undefined)
  if (!stop.ok) return stop.outcome
  return startDocker(services, api, clock, {deadline: options.deadline, stopped: stop.stopped, ...(options.onTick ? {onTick: options.onTick} : {})})
}

/** Why no service is touched by this run; undefined when dockerd is restarted or reloaded. */
export async function whyNoService(system: System, options: {noRestart: boolean}): Promise<string | undefined> {
  if (options.noRestart) return '--no-restart was given'
  if (!system.isLiveHost) return '--root is not /: services of this machine are never touched'
  const services = await system.services()
  if (!(await services.available())) return 'systemd is not running here: restart dockerd yourself'
  return undefined
}

/** The journal of the failed start only: its invocation's lines, else everything since the restart. */
export async function failedStartJournal(services: ServiceManager, invocationId: string, cursor: string | undefined): Promise<string[]> {
  const lines = invocationId ? await services.journal(DOCKER_UNIT, {invocationId}) : []
  const all = lines.length > 0 ? lines : await services.journal(DOCKER_UNIT, cursor ? {cursor} : {lines: 50})
  const decisive = all.filter((l) => /level=(error|fatal)|unable to configure|failed to start|address already in use|Failed with result|Main process exited/i.test(l))
  return (decisive.length > 0 ? decisive : all).slice(-20)
}

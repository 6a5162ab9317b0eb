import type {DockerApi} from '../docker-api/client.js'
import type {ServiceManager} from '../service/service-manager.js'
import type {Clock} from '../system/clock.js'

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

export type HealthOutcome =
  | {healthy: true; state: UnitState}
  | {healthy: false; state: UnitState; reason: string}

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
    await clock.sleep(250)
    state = await unitState(services)
  }
}

/**
 * Restarts docker.service so that the start we then wait for is certainly one that began after
 * this call, i.e. one that reads the files as they are now. A plain `systemctl restart` is not
 * enough when the unit is between automatic restarts (Restart=on-failure, RestartSec=2): seen on
 * a test host, systemd's own retry began while the rollback restored the files, our restart job
 * was merged into that start, no new invocation ever appeared, and a healthy rollback was
 * reported as failed (exit 5). Stopping first cancels any pending automatic restart and ends any
 * start in progress; every invocation after the stop is fresh.
 */
export async function restartFresh(
  services: ServiceManager,
  api: DockerApi,
  clock: Clock,
  options: {deadline: number; onTick?: (state: UnitState) => void},
): Promise<HealthOutcome> {
  const pre = await unitState(services)
  await services.stop(DOCKER_UNIT)
  let state = pre
  for (;;) {
    state = await unitState(services)
    if (state.ActiveState === 'inactive' || state.ActiveState === 'failed') break
    // Socket activation (a client on docker.socket) may already have started it again: that
    // start began after the stop, so it is fresh too.
    if (state.InvocationID !== pre.InvocationID && state.InvocationID !== '') break
    if (clock.now().getTime() > options.deadline) return {healthy: false, state, reason: `docker.service did not stop in time (state ${state.ActiveState}/${state.SubState})`}
    await clock.sleep(100)
  }
  const stale = state.ActiveState === 'inactive' || state.ActiveState === 'failed' ? state.InvocationID : pre.InvocationID
  // A start limit hit by earlier failures must never mask the outcome of this start.
  await services.resetFailed([DOCKER_UNIT, 'docker.socket'])
  await services.start(DOCKER_UNIT)
  return waitHealthy(services, api, clock, {deadline: options.deadline, ...(stale ? {notInvocation: stale} : {}), ...(options.onTick ? {onTick: options.onTick} : {})})
}

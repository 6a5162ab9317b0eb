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

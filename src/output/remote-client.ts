import {dockerContextCommand} from '../remote/client.js'

/** How to use a client bundle with the docker CLI: the lines `remote client-cert` prints. */
export function clientUsage(dir: string, endpoint = 'tcp://HOST:2376'): string[] {
  return [`export DOCKER_HOST=${endpoint} DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${dir}`, dockerContextCommand('NAME', endpoint, dir)]
}

import {Help} from '@oclif/core'

import {renderExitCodeTable} from '../core/exit-codes.js'

/** oclif's help plus the exit-code table, so scripts' authors find the contract where they look. */
export default class DockcfgHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    this.log(`${this.section('EXIT CODES', renderExitCodeTable())}\n`)
  }
}

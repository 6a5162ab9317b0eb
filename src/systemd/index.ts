export {editExecStartDropIn, quoteExecArg, renderExecStartDropIn, renderExecStartValue, type DropInEdit, type DropInOptions} from './dropin.js'
export {envNameIsValid, parseEnvFile, parseEnvironmentValue, type EnvAssignment, type ParsedEnvFile} from './environment.js'
export {expandArgv, parseExecValue, substituteBraced, type ExecCommand, type ExecFlags, type ExecParseResult, type ExpansionResult} from './exec.js'
export {extractFirstWord, splitWords, type ExtractFlags} from './extract-word.js'
export {OPENRC_CONFD_DOCKER, parseOpenRcConfd, readOpenRcDockerConfig, type OpenRcDockerConfig} from './openrc.js'
export {resolveUnitFiles, SYSTEM_UNIT_PATH, type DropInFile, type ResolvedUnitFiles} from './resolve.js'
export {resolveDockerService, type ArgvOrigin, type Diagnostic, type Directive, type EnvVariable, type ResolvedService, type ResolveServiceOptions} from './service.js'
export {parseShell, type ShellParse} from './shell.js'
export {expandSpecifiers, type SpecifierContext} from './specifiers.js'
export {
  appendAssignment,
  findAssignments,
  parseUnitFile,
  removeAssignment,
  renderUnitFile,
  replaceAssignment,
  setAssignment,
  type AssignmentEntry,
  type UnitEntry,
  type UnitFile,
} from './unit-file.js'

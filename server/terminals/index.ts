export {
  TerminalGateway,
  NodeUnavailableError,
  TooManyTerminalsError,
  MESSAGES,
  type ShellSpec,
  type TerminalKey,
  type GatewayOptions,
  type UpgradeOptions,
  type TerminalInfo,
  type GatewayStats,
  type CommandDone,
} from './gateway';
export { realClock, type Clock } from './clock';
export { OSC133_PROMPT_COMMAND } from './command-watch';
export * from './protocol';

export {
  TerminalGateway,
  NodeUnavailableError,
  TooManyTerminalsError,
  MESSAGES,
  type ShellSpec,
  type TerminalKey,
  type GatewayOptions,
  type TerminalInfo,
  type GatewayStats,
} from './gateway';
export * from './protocol';

export { TerminalPanel, type TerminalTab, type TerminalPanelOptions } from './panel';
export { TerminalConnection, type ConnectionStatus, type TerminalSink } from './connection';

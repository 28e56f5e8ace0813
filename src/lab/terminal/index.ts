export { TerminalPanel, type TerminalTab, type TerminalPanelOptions } from './panel';
export type { TabState } from './tab-state';
export { TerminalConnection, type ConnectionStatus, type TerminalSink } from './connection';

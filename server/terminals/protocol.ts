// The wire protocol lives in src/shared/terminal-protocol.ts (shared with the browser); the
// gateway's modules import it from here.
export * from '../../src/shared/terminal-protocol';

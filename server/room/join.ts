// Opening a room: the address learners can reach (a wildcard bind is not an address), and the
// join link as QR codes, in the terminal (printed at start) and as SVG (the cockpit, projected).
import os from 'node:os';
import QRCode from 'qrcode';

/**
 * The base URL to give learners: the server's own, except for a wildcard bind (0.0.0.0, ::),
 * replaced by the machine's first external IPv4 address (learners on the same network).
 */
export function publicBase(url: string, interfaces = os.networkInterfaces()): string {
  const parsed = new URL(url);
  if (parsed.hostname !== '0.0.0.0' && parsed.hostname !== '[::]') return url.replace(/\/$/, '');
  for (const list of Object.values(interfaces)) {
    const external = list?.find((i) => i.family === 'IPv4' && !i.internal);
    if (external) return `${parsed.protocol}//${external.address}:${parsed.port}`;
  }
  return `${parsed.protocol}//127.0.0.1:${parsed.port}`;
}

/** The join link as a QR code drawn with block characters (half height: two rows per line). */
export function terminalQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}

/** The join link as a standalone SVG (dark modules on white, a quiet zone of 2 modules). */
export function svgQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
}

import type Docker from 'dockerode';
import path from 'node:path';
import { LABEL } from '../server/drivers/labels';

/**
 * Lists every Docker object labelled with a bench's data folder; any left is a failure of the
 * bench (exit code 1).
 */
export async function proveNothingLeft(host: Docker, dataDir: string, bench: string): Promise<void> {
  const home = { label: [`${LABEL.home}=${path.join(dataDir, 'sockets')}`] };
  const left = [
    ...(await host.listContainers({ all: true, filters: home })).map((c) => `container ${c.Names[0]}`),
    ...(await host.listNetworks({ filters: home })).map((n) => `network ${n.Name}`),
    ...((await host.listVolumes({ filters: home })).Volumes ?? []).map((v) => `volume ${v.Name}`),
  ];
  console.log(`left with label ${home.label[0]}: ${left.length ? left.join(', ') : 'nothing'}`);
  if (left.length) {
    console.error(`${bench}: clusters left behind`);
    process.exitCode = 1;
  }
}

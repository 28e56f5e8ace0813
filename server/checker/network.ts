import type { Condition } from '../../src/labs/schema';
import { Comparison, list, missing, plural } from './comparison';
import { networkNames } from './service';
import { execInTask, findService } from './swarm-objects';
import type { CheckContext, Observation } from './types';

type NetworkCondition = Extract<Condition, { kind: 'network' }>;

export async function checkNetwork(c: NetworkCondition, ctx: CheckContext): Promise<Observation> {
  const manager = await ctx.manager();
  const networks = await manager.listNetworks();
  const network = networks.find((n) => n.Name === c.name);
  if (!c.exists) return new Comparison().add(`réseau ${c.name}`, network ? 'existe' : 'absent', 'absent').result();
  if (!network) return missing(`le réseau « ${c.name} »`, `un réseau nommé « ${c.name} »`);
  const cmp = new Comparison();
  if (c.driver) cmp.add('pilote', network.Driver, c.driver);
  if (c.attachable !== undefined) cmp.add('attachable', network.Attachable ? 'oui' : 'non', c.attachable ? 'oui' : 'non');
  for (const name of c.services ?? []) {
    const service = await findService(manager, name);
    if (!service) cmp.add(`service ${name}`, 'absent', `relié à ${c.name}`, false);
    else {
      const names = await networkNames(manager, service);
      cmp.add(`service ${name}`, `réseaux : ${list(names)}`, `relié à ${c.name}`, names.includes(c.name));
    }
  }
  if (c.resolves) {
    const { from, name, count } = c.resolves;
    const result = await execInTask(ctx, from, ['nslookup', name]);
    if ('error' in result) cmp.add(`résolution de ${name}`, result.error, `${name} résolu depuis « ${from} »`, false);
    else {
      const addresses = answerAddresses(result.output);
      const want = count === undefined ? 'au moins une adresse' : plural(count, 'adresse');
      const ok = result.code === 0 && (count === undefined ? addresses.length > 0 : addresses.length === count);
      cmp.add(`résolution de ${name} depuis ${from}`, addresses.length ? `${plural(addresses.length, 'adresse')} : ${addresses.join(', ')}` : 'aucune adresse', want, ok);
    }
  }
  return cmp.result();
}

/** IPv4 addresses of the answer section of `nslookup` (busybox or bind), not the DNS server's. */
export function answerAddresses(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => /^Name:/.test(l.trim()));
  if (start < 0) return [];
  const found: string[] = [];
  for (const line of lines.slice(start)) {
    const m = /Address(?:\s+\d+)?:\s*(\d+\.\d+\.\d+\.\d+)/.exec(line);
    if (m && !found.includes(m[1]!)) found.push(m[1]!);
  }
  return found;
}

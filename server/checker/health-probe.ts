import type { Service } from './swarm-objects';
import type { CheckContext } from './types';

/** Where the probe runs: a manager always holds the images of the lab (preloaded on every node). */
const PROBE_NODE = 'manager1';
const PROBE_LABEL = 'org.docker-en-cluster.probe=health';
/** Real images (nginx runs start-up scripts before it listens) take a few seconds to be healthy. */
const START_TRIES = 20;

export interface ProbeResult {
  /** The health command passes on a fresh container of the image. */
  healthyAtStart: boolean;
  /** It fails once the breaking command has run. */
  failsAfterBreak: boolean;
  detail: string;
}

/** The argv that Docker runs for a health test: `["CMD-SHELL", cmd]` → `sh -c cmd`, `["CMD", …]` → as is. */
export function healthArgv(test: string[]): string[] | undefined {
  const [kind, ...rest] = test;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  if (kind === 'CMD' && rest.length > 0) return rest;
  return undefined;
}

/**
 * Judges what a service's health command does, not how it is written: in a scratch container of
 * the service's image (same command and arguments, outside the swarm, removed afterwards), the
 * command must pass once the container has started, then fail after `breakCommand`.
 */
export async function probeHealthcheck(ctx: CheckContext, service: Service, breakCommand: string): Promise<ProbeResult> {
  const container = service.Spec.TaskTemplate?.ContainerSpec ?? {};
  const argv = healthArgv(container.Healthcheck?.Test ?? []);
  if (!argv) return { healthyAtStart: false, failsAfterBreak: false, detail: 'aucune commande de santé' };
  const image = (container.Image ?? '').split('@')[0]!;
  const entry = container.Command?.length ? ['--entrypoint', container.Command[0]!] : [];
  const args = [...(container.Command?.slice(1) ?? []), ...(container.Args ?? [])];
  const run = await ctx.exec(PROBE_NODE, ['docker', 'run', '-d', '--rm', '--label', PROBE_LABEL, ...entry, image, ...args]);
  const id = run.stdout.trim();
  if (run.code !== 0 || !id) {
    return { healthyAtStart: false, failsAfterBreak: false, detail: `conteneur d’essai impossible à lancer (${(run.stderr || run.stdout).trim().slice(0, 200)})` };
  }
  try {
    const test = () => ctx.exec(PROBE_NODE, ['docker', 'exec', id, ...argv]).then((r) => r.code === 0);
    let healthy = false;
    for (let i = 0; i < START_TRIES && !healthy; i++) {
      healthy = await test();
      if (!healthy) await new Promise((r) => setTimeout(r, 1000));
    }
    if (!healthy) return { healthyAtStart: false, failsAfterBreak: false, detail: `la commande de santé échoue sur un conteneur neuf de ${image}` };
    await ctx.exec(PROBE_NODE, ['docker', 'exec', id, '/bin/sh', '-c', breakCommand]);
    const stillPasses = await test();
    return {
      healthyAtStart: true,
      failsAfterBreak: !stillPasses,
      detail: stillPasses ? `la commande de santé réussit encore après « ${breakCommand} »` : `sain au départ, malade après « ${breakCommand} »`,
    };
  } finally {
    await ctx.exec(PROBE_NODE, ['docker', 'rm', '-f', id]).catch(() => undefined);
  }
}

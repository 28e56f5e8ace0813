// What the live channel does for lab slides: the cluster maps (server/live/cluster-maps.ts) and
// the automatic checks (server/live/auto-check.ts), wired together: a swarm event of a watched
// cluster, or a new state of its map, re-evaluates the exercise shown; a command returned in a
// terminal does both.
import { driverContext } from '../checker';
import type { Driver } from '../drivers/types';
import type { LabRunner } from '../labs/runner';
import type { ProgressStore } from '../labs/progress';
import { AutoChecks } from './auto-check';
import { ClusterMaps } from './cluster-maps';
import type { WatchOptions } from './cluster-watch';
import type { LiveHub } from './hub';

export interface LabLive {
  maps: ClusterMaps;
  checks: AutoChecks;
  /** A command returned in one of `learner`'s terminals (the gateway's onCommandDone). */
  commandDone(learner: string): void;
  close(): void;
}

export interface LabLiveOptions extends WatchOptions {
  /** A cluster whose machines are suspended (frozen by the room's capacity): not evaluated. */
  asleep?(cluster: string): boolean;
}

export function startLabLive(hub: LiveHub, driver: Driver, runner: LabRunner, progress: ProgressStore, options: LabLiveOptions = {}): LabLive {
  const { asleep, ...watch } = options;
  const maps = new ClusterMaps(hub, driver, watch);
  const checks = new AutoChecks({ hub, progress, lab: (id) => runner.lab(id), context: (cluster) => driverContext(driver, cluster), ...(asleep ? { asleep } : {}) });
  // Events (secrets, networks… are not on the map) and new map states (a worker's task that
  // starts shows on no manager event, only on the map's next read).
  maps.onEvent((cluster) => checks.trigger(cluster));
  maps.onState((cluster) => checks.trigger(cluster));
  return {
    maps,
    checks,
    commandDone(learner) {
      maps.poke(learner);
      checks.trigger(learner);
    },
    close() {
      checks.close();
      maps.close();
    },
  };
}

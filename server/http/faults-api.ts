// The HTTP handlers of fault injection and follow mode (routes in server/http/routes.ts):
//   POST /api/room/learners/:learner/faults  {action, node?}   instructor: one learner's cluster
//   POST /api/room/faults                    {action, node?}   instructor: every learner's cluster
//   POST /api/cluster/nodes/:node/:network   {}                a learner's own cluster (labs)
//   POST /api/room/follow                    {enabled}         instructor: follow mode for the room
// `action` is stop, start, isolate, reconnect or kill-leader (no node). The answer is
// `{ results: [{ cluster, learner, ok, changed, node, message }] }`, one per cluster, in French;
// a driver that cannot cut a node off its network answers 501 (UnsupportedFaultError, server/app.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ClusterManager } from '../clusters';
import { FAULT_ACTIONS, injectFault, injectFaultInRoom, type Fault, type FaultResult } from '../faults';
import type { LearnerRegistry } from '../learners';
import type { Presenter } from '../live/presenter';
import { readJson } from './body';
import { HttpError, sendJson } from './edge';
import { PARAMS, type ParamName } from './routes';

const FaultBody = z
  .object({ action: z.enum(FAULT_ACTIONS), node: z.string().regex(PARAMS.node).optional() })
  .strict()
  .refine((b) => b.action === 'kill-leader' || b.node !== undefined, { message: 'nœud manquant : « node » est obligatoire sauf pour kill-leader', path: ['node'] });
const FollowBody = z.object({ enabled: z.boolean() }).strict();
const Empty = z.object({}).strict();

export interface FaultsApiDeps {
  registry: LearnerRegistry;
  clusters: ClusterManager | null;
  presenter: Presenter;
  /** 503 when the server has no lab backend. */
  unavailable(): HttpError;
}

interface FaultCall {
  req: IncomingMessage;
  res: ServerResponse;
  learner: { id: string };
  params: Partial<Record<ParamName, string>>;
}

/** A French name with each result: the cockpit shows who. */
function named(registry: LearnerRegistry, results: FaultResult[]) {
  return results.map((r) => ({ ...r, learner: registry.get(r.cluster)?.name ?? r.cluster }));
}

export function faultHandlers(deps: FaultsApiDeps) {
  const clusters = () => {
    if (!deps.clusters) throw deps.unavailable();
    return deps.clusters;
  };

  return {
    async learnerFaults({ req, res, params }: FaultCall) {
      const fault: Fault = await readJson(req, FaultBody);
      const id = params.learner ?? '';
      const target = deps.registry.get(id);
      if (!target) throw new HttpError(404, `apprenant « ${id} » inconnu`);
      const result = await injectFault(clusters(), id, fault);
      sendJson(res, 200, { results: named(deps.registry, [result]) });
    },
    async roomFaults({ req, res }: FaultCall) {
      const fault: Fault = await readJson(req, FaultBody);
      const manager = clusters();
      // Every learner who has a cluster now; never the instructor's own.
      const learners = deps.registry.list().filter((l) => l.role === 'learner');
      const withCluster = (await Promise.all(learners.map(async (l) => ((await manager.driver.nodes(l.id)).length ? l.id : null)))).filter((id): id is string => id !== null);
      const results = await injectFaultInRoom(manager, withCluster, fault);
      sendJson(res, 200, { results: named(deps.registry, results) });
    },
    async nodeNetwork({ req, res, learner, params }: FaultCall) {
      await readJson(req, Empty);
      const action = params.network === 'reconnect' ? 'reconnect' : 'isolate';
      const result = await injectFault(clusters(), learner.id, { action, node: params.node });
      if (!result.ok) throw new HttpError(409, result.message);
      sendJson(res, 200, { results: named(deps.registry, [result]) });
    },
    async roomFollow({ req, res }: FaultCall) {
      const body = await readJson(req, FollowBody);
      sendJson(res, 200, deps.presenter.setEnabled(body.enabled));
    },
  };
}

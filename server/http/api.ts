import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { RoomCapacity } from '../capacity';
import type { ClusterManager } from '../clusters';
import type { Backend } from '../drivers/detect';
import { DEFAULT_SHAPE, type ClusterShape } from '../drivers/types';
import { labFile, loadLab } from '../../src/labs/loader';
import type { ProgressStore } from '../labs/progress';
import { shapeOf, type LabRunner } from '../labs/runner';
import type { Learner, LearnerRegistry } from '../learners';
import { ABSOLUTE_LIMIT, shapeRefusal, type ShapeLimit } from '../quotas';
import type { TerminalGateway } from '../terminals';
import type { Presenter } from '../live/presenter';
import { readJson } from './body';
import { faultHandlers } from './faults-api';
import { HttpError, sendJson } from './edge';
import type { CockpitRoute } from './cockpit-api';
import { PARAMS, type ParamName, type RouteName } from './routes';

const Shape = z
  .object({
    managers: z.number().int().min(1).max(ABSOLUTE_LIMIT.managers),
    workers: z.number().int().min(0).max(ABSOLUTE_LIMIT.workers),
    swarm: z.enum(['ready', 'bare']).default('ready'),
    labels: z.record(z.string().regex(PARAMS.node), z.record(z.string().min(1).max(64), z.string().max(256))).optional(),
  })
  .strict();
const ClusterBody = z.object({ shape: Shape.optional() }).strict();
const Empty = z.object({}).strict();
const TypeBody = z.object({ node: z.string().regex(PARAMS.node), tab: z.string().regex(PARAMS.tab).default('1'), text: z.string().max(16_384) }).strict();
const LabBody = z.object({ exercise: z.string().regex(PARAMS.lab).optional(), wait: z.boolean().default(true) }).strict();

export interface ApiDeps {
  registry: LearnerRegistry;
  backend: Backend;
  clusters: ClusterManager | null;
  runner: LabRunner | null;
  /** The room's capacity (a notice for a learner whose cluster was reclaimed). */
  room?: RoomCapacity | null;
  gateway: TerminalGateway;
  progress: ProgressStore;
  /** The shape each learner last asked for (shared with the terminals' on-demand clusters). */
  shapes: Map<string, ClusterShape>;
  labsDir: string;
  /** Largest cluster a learner may ask for (the course's labs). */
  learnerLimit: ShapeLimit;
  /** The join URL for a code (the instructor's room view). */
  joinUrl(code: string): string;
  /** Follow mode (server/live/presenter.ts). */
  presenter: Presenter;
}

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  learner: Learner;
  params: Partial<Record<ParamName, string>>;
}

export type Handler = (call: Call) => Promise<void>;

/** The handlers of the API routes of server/http/routes.ts, by route name (login and the room's, in cockpit-api.ts, excepted). */
export function apiHandlers(deps: ApiDeps): Record<Exclude<RouteName, 'login' | CockpitRoute>, Handler> {
  const shapes = deps.shapes;
  const currentShape = (learner: string) => shapes.get(learner) ?? DEFAULT_SHAPE;
  const unavailable = () => new HttpError(503, `travaux pratiques indisponibles : ${deps.backend.reason}`);
  const clusters = () => {
    if (!deps.clusters) throw unavailable();
    return deps.clusters;
  };
  const runner = () => {
    if (!deps.runner) throw unavailable();
    return deps.runner;
  };
  const param = (call: Call, name: ParamName): string => {
    const value = call.params[name];
    if (value === undefined) throw new HttpError(404, `paramètre « ${name} » manquant`);
    return value;
  };
  const requestedShape = async (call: Call): Promise<ClusterShape> => {
    const body = await readJson(call.req, ClusterBody);
    const shape = body.shape ?? currentShape(call.learner.id);
    const refusal = call.learner.role === 'instructor' ? undefined : shapeRefusal(shape, deps.learnerLimit);
    if (refusal) throw new HttpError(400, refusal);
    return shape;
  };
  /** The lab and exercise named by a request, or 404 (never a 500 for a typo). */
  const labOf = (call: Call, exercise: string | undefined) => {
    const id = param(call, 'lab');
    if (!existsSync(labFile(deps.labsDir, id))) throw new HttpError(404, `TP « ${id} » introuvable`);
    const lab = loadLab(deps.labsDir, id);
    if (exercise !== undefined && !lab.exercises.some((e) => e.id === exercise)) {
      throw new HttpError(404, `le TP « ${id} » n’a pas d’exercice « ${exercise} » (exercices : ${lab.exercises.map((e) => e.id).join(', ')})`);
    }
    return lab;
  };
  const typist = (cluster: string, node: string, text: string) => deps.gateway.type({ learner: cluster, node, tab: '1' }, text);

  return {
    ...faultHandlers({ registry: deps.registry, clusters: deps.clusters, presenter: deps.presenter, unavailable }),
    async session({ res, learner }) {
      sendJson(res, 200, {
        learner: { id: learner.id, name: learner.name, role: learner.role },
        backend: { available: Boolean(deps.backend.driver), kind: deps.backend.driver?.kind ?? null, reason: deps.backend.reason },
      });
    },
    async cluster({ res, learner }) {
      sendJson(res, 200, await clusters().status(learner.id));
    },
    async clusterUp(call) {
      const shape = await requestedShape(call);
      shapes.set(call.learner.id, shape);
      await clusters().ensure(call.learner.id, shape);
      sendJson(call.res, 200, await clusters().status(call.learner.id));
    },
    async clusterReset(call) {
      const shape = await requestedShape(call);
      shapes.set(call.learner.id, shape);
      deps.gateway.closeLearner(call.learner.id);
      await clusters().reset(call.learner.id, shape);
      sendJson(call.res, 200, await clusters().status(call.learner.id));
    },
    async clusterDown({ req, res, learner }) {
      await readJson(req, Empty);
      deps.gateway.closeLearner(learner.id);
      await clusters().down(learner.id);
      sendJson(res, 200, { ok: true });
    },
    async power(call) {
      await readJson(call.req, Empty);
      await clusters().power(call.learner.id, param(call, 'node'), param(call, 'power') === 'stop' ? 'off' : 'on');
      sendJson(call.res, 200, await clusters().status(call.learner.id));
    },
    async terminals({ res, learner }) {
      sendJson(res, 200, deps.gateway.list(learner.id));
    },
    async type({ req, res, learner }) {
      const body = await readJson(req, TypeBody);
      await deps.gateway.type({ learner: learner.id, node: body.node, tab: body.tab }, body.text);
      sendJson(res, 200, { ok: true });
    },
    async progress({ res, learner }) {
      sendJson(res, 200, await deps.progress.get(learner.id));
    },
    async lab(call) {
      const { res, learner } = call;
      const body = await readJson(call.req, LabBody);
      const lab = labOf(call, body.exercise);
      const labs = runner();
      const action = param(call, 'action');
      if (action === 'start' || action === 'reset') {
        const started = action === 'start' ? await labs.start(learner.id, lab.id) : await labs.reset(learner.id, lab.id);
        shapes.set(learner.id, shapeOf(started));
        const notice = deps.room?.takeNotice(learner.id);
        return sendJson(res, 200, { lab: started.id, nodes: await clusters().driver.nodes(learner.id), ...(notice ? { notice } : {}) });
      }
      if (action === 'solve') {
        await labs.start(learner.id, lab.id);
        const done = await labs.solve(learner.id, lab.id, body.exercise, typist);
        return sendJson(res, 200, { lab: lab.id, exercise: done.id, typed: true });
      }
      // check: streams progress (one JSON line per poll) while Swarm converges, then the report.
      const abort = new AbortController();
      res.once('close', () => abort.abort());
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' });
      const report = await labs.check(learner.id, lab.id, body.exercise, {
        wait: body.wait,
        signal: abort.signal,
        onProgress: (conditions) => res.write(`${JSON.stringify({ progress: conditions })}\n`),
      });
      res.end(`${JSON.stringify({ report })}\n`);
    },
    async room({ res }) {
      sendJson(res, 200, { learners: deps.registry.list() });
    },
    async roomJoinCode({ req, res }) {
      await readJson(req, Empty);
      const code = await deps.registry.rotateJoinCode();
      sendJson(res, 200, { joinUrl: deps.joinUrl(code) });
    },
    async roomRevoke(call) {
      await readJson(call.req, Empty);
      const id = param(call, 'learner');
      if (!deps.registry.get(id)) throw new HttpError(404, `apprenant « ${id} » inconnu`);
      if (id === call.learner.id) throw new HttpError(400, 'vous ne pouvez pas révoquer votre propre accès');
      const learner = await deps.registry.revoke(id);
      deps.gateway.closeLearner(id);
      sendJson(call.res, 200, { learner });
    },
  };
}

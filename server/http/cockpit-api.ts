// Handlers of the room's routes (server/http/routes.ts): the cockpit page, the join link and its
// QR code, the results as CSV, and the instructor's actions on one learner (reset their lab,
// a hint to their pages, the solution typed into their terminal); a learner's own name.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ClusterManager } from '../clusters';
import type { LabRunner } from '../labs/runner';
import type { Learner, LearnerRegistry } from '../learners';
import type { RoomCockpit } from '../room/cockpit';
import { resultsCsv } from '../room/csv';
import { svgQr } from '../room/join';
import type { TerminalGateway } from '../terminals';
import { checkDisplayName } from '../../src/shared/display-name';
import { exerciseKey } from '../../src/shared/room-grid';
import { HINT_MAX, type CourseLab } from '../../src/shared/room-protocol';
import type { Call, Handler } from './api';
import { readJson } from './body';
import { HttpError, sendJson } from './edge';
import { PARAMS } from './routes';

/** The routes these handlers answer. */
export const COCKPIT_ROUTES = ['sessionName', 'cockpit', 'roomJoin', 'roomJoinQr', 'roomResults', 'roomTerminals', 'roomReset', 'roomHint', 'roomSolve'] as const;
export type CockpitRoute = (typeof COCKPIT_ROUTES)[number];

export interface CockpitApiDeps {
  registry: LearnerRegistry;
  cockpit: RoomCockpit;
  runner: LabRunner | null;
  clusters: ClusterManager | null;
  gateway: TerminalGateway;
  course(): CourseLab[];
  joinUrl(): string;
  /** Serves the cockpit page (the deck handler's second entry). */
  page(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Why labs are unavailable (no engine). */
  unavailable: string;
}

const NameBody = z.object({ name: z.string().max(400) }).strict();
const HintBody = z.object({ text: z.string().max(HINT_MAX * 2) }).strict();
const SolveBody = z.object({ lab: z.string().regex(PARAMS.lab).optional(), exercise: z.string().regex(PARAMS.lab).optional() }).strict();

/** A hint as the learner will read it: trimmed, line breaks kept, other control characters removed. */
export function cleanHint(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === '\n' ? c : '')).trim();
}

export function cockpitHandlers(deps: CockpitApiDeps): Record<CockpitRoute, Handler> {
  const learnerOf = (call: Call): Learner => {
    const id = call.params.learner ?? '';
    const learner = deps.registry.get(id);
    if (!learner) throw new HttpError(404, `apprenant « ${id} » inconnu`);
    return learner;
  };
  const runner = () => {
    if (!deps.runner) throw new HttpError(503, `travaux pratiques indisponibles : ${deps.unavailable}`);
    return deps.runner;
  };
  /** The lab a learner's cluster holds now, or 409. */
  const currentLab = async (learner: Learner): Promise<string> => {
    const row = await deps.cockpit.row(learner);
    if (!row.currentLab) throw new HttpError(409, `${learner.name} n’a commencé aucun TP : son cluster ne tient l’état d’aucun exercice`);
    return row.currentLab;
  };

  return {
    async sessionName({ req, res, learner }) {
      const body = await readJson(req, NameBody);
      const checked = checkDisplayName(body.name);
      if (!checked.ok) throw new HttpError(400, checked.error);
      const renamed = await deps.registry.rename(learner.id, checked.name);
      deps.cockpit.changed(learner.id);
      sendJson(res, 200, { learner: { id: renamed.id, name: renamed.name, role: renamed.role } });
    },
    async cockpit({ req, res }) {
      await deps.page(req, res);
    },
    async roomJoin({ res }) {
      sendJson(res, 200, { joinUrl: deps.joinUrl() });
    },
    async roomJoinQr({ res }) {
      const svg = await svgQr(deps.joinUrl());
      res.writeHead(200, {
        'Content-Type': 'image/svg+xml; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        // Opened on its own, the SVG may run nothing.
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
      res.end(svg);
    },
    async roomResults({ res }) {
      const csv = resultsCsv(deps.course(), await deps.cockpit.rows());
      const day = new Date().toISOString().slice(0, 10);
      res.writeHead(200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="resultats-salle-${day}.csv"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(csv);
    },
    async roomTerminals(call) {
      const learner = learnerOf(call);
      const nodes = deps.clusters ? await deps.clusters.driver.nodes(learner.id) : [];
      sendJson(call.res, 200, { nodes, terminals: deps.gateway.list(learner.id) });
    },
    async roomReset(call) {
      await readJson(call.req, z.object({}).strict());
      const learner = learnerOf(call);
      const lab = await currentLab(learner);
      await runner().reset(learner.id, lab);
      sendJson(call.res, 200, { learner: learner.id, lab });
    },
    async roomHint(call) {
      const body = await readJson(call.req, HintBody);
      const learner = learnerOf(call);
      const text = cleanHint(body.text);
      if (!text) throw new HttpError(400, 'indice vide : écrivez le message à envoyer');
      if ([...text].length > HINT_MAX) throw new HttpError(400, `indice trop long : ${HINT_MAX} caractères au plus`);
      const pages = deps.cockpit.hint(learner.id, text);
      if (pages === 0) throw new HttpError(409, `${learner.name} n’a aucune page du cours ouverte : l’indice n’a pas été remis`);
      sendJson(call.res, 200, { pages });
    },
    async roomSolve(call) {
      const body = await readJson(call.req, SolveBody);
      const learner = learnerOf(call);
      const labs = runner();
      const current = await currentLab(learner);
      const lab = body.lab ?? current;
      if (lab !== current) throw new HttpError(409, `le cluster de ${learner.name} tient le TP « ${current} », pas « ${lab} »`);
      const loaded = labs.lab(lab);
      const row = await deps.cockpit.row(learner);
      const exercise = body.exercise ?? loaded.exercises.find((e) => row.cells[exerciseKey(lab, e.id)]?.s !== 'passed')?.id ?? loaded.exercises[0]!.id;
      if (!loaded.exercises.some((e) => e.id === exercise)) throw new HttpError(404, `le TP « ${lab} » n’a pas d’exercice « ${exercise} »`);
      // Typed into the learner's first terminal of each node, as if they had typed it: they see it.
      await labs.solve(learner.id, lab, exercise, (cluster, node, text) => deps.gateway.type({ learner: cluster, node, tab: '1' }, text));
      sendJson(call.res, 200, { learner: learner.id, lab, exercise, typed: true });
    },
  };
}

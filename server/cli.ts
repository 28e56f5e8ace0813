#!/usr/bin/env node
// `npm run lab -- <command>` and `npm start` (= serve): two faces over the same modules.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_LEARNER, startLabServer } from './app';
import { AssignedDriver, Assignments } from './capacity/assignments';
import { ClusterManager } from './clusters';
import { loadConfig, REPO_ROOT, type ConfigFlags } from './config';
import { detectBackend, detectOptions } from './drivers/detect';
import { DEFAULT_SHAPE, type ClusterShape, type ClusterStatus } from './drivers/types';
import { runNodeAction } from './faults';
import { actionDoneText } from '../src/shared/lab-contract';
import { loadAllLabs } from '../src/labs/loader';
import { ProgressStore } from './labs/progress';
import { LabRunner } from './labs/runner';
import { LearnerRegistry } from './learners';
import { ABSOLUTE_LIMIT } from './quotas';
import { terminalQr } from './room/join';
import { issueCliGrant, readServerInfo } from './server-info';
import { z } from 'zod';

const USAGE = `Usage : npm run lab -- <commande> [options]

Commandes :
  serve                       sert le cours et les TP (c’est « npm start »)
  up                          crée le cluster (s’il n’existe pas)
  down                        supprime le cluster (conteneurs, réseau, volumes)
  reset                       recrée un cluster neuf
  status                      nœuds, rôles, disponibilité, leader, tâches par nœud
  exec <nœud> -- <commande>   exécute une commande sur un nœud (code de sortie propagé)
  shell <nœud>                ouvre un shell interactif sur un nœud
  setup <tp>                  cluster neuf dans l’état de départ du TP
  check <tp>[/<exercice>]     vérifie un exercice (code 0 s’il est réussi, 1 sinon)
  solve <tp>[/<exercice>]     exécute la solution de référence (tapée dans le terminal
                              du navigateur si le serveur tourne : mode démonstration)
  labs                        liste les TP
  room                        apprenants de la salle (identifiant, nom, rôle, inscription)
  room rotate                 nouveau lien d’inscription (l’ancien ne marche plus)
  room revoke <identifiant>   coupe l’accès d’un apprenant (sa progression reste)
  stop <nœud> | start <nœud>  débranche / rebranche la machine d’un nœud (pannes)
  isolate <nœud> | reconnect <nœud>
                              coupe un nœud du réseau du cluster / l’y reconnecte (pannes)

Options :
  --cluster <id>              cluster visé (par défaut « ${LOCAL_LEARNER} », celui du navigateur local)
  --managers <n> --workers <n> --bare
                              forme du cluster (par défaut 1 manager, 2 workers, swarm prêt)
  --driver auto|dind|local|ssh|vagrant|none   --image <image>   --privileged auto|yes|no
  --inventory <fichier.yaml>  machines du pilote ssh (voir vagrant/inventory.example.yaml)
  --engine <moteur>           pilote dind : un moteur Docker de plus pour les clusters (répétable ;
                              unix://…, tcp://hôte:2376?certs=dossier, ssh://utilisateur@hôte ou un
                              contexte Docker ; DEC_ENGINES=a,b) ; par défaut le moteur local
  --host <adresse> --port <port>  --static  --data-dir <dossier>  --allow-origin <origine>
  --trust-proxy               serve : derrière un proxy HTTPS (X-Forwarded-Proto, X-Forwarded-For)
  --max-clusters <n>          serve : clusters d’apprenants à la fois (par défaut : selon la mémoire
                              et les cœurs du moteur Docker) ; au-delà, une file d’attente
  --prewarm <n>               serve : clusters préparés au démarrage pour les premiers apprenants
  --freeze-after <s>          serve : gel d’un cluster inactif (docker pause) après s secondes
                              (600 ; 0 : jamais)
  --reclaim-after <s>         serve : suppression d’un cluster abandonné après s secondes
                              (7200 ; 0 : jamais)
  --no-wait                   check : un seul regard, sans attendre la convergence
  --no-open                   serve : ne pas ouvrir le navigateur
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      cluster: { type: 'string', default: LOCAL_LEARNER },
      managers: { type: 'string' },
      workers: { type: 'string' },
      bare: { type: 'boolean', default: false },
      driver: { type: 'string' },
      image: { type: 'string' },
      privileged: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      static: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
      'no-wait': { type: 'boolean', default: false },
      'no-open': { type: 'boolean', default: false },
      inventory: { type: 'string' },
      engine: { type: 'string', multiple: true },
      'trust-proxy': { type: 'boolean', default: false },
      room: { type: 'boolean', default: false },
      'max-clusters': { type: 'string' },
      prewarm: { type: 'string' },
      'freeze-after': { type: 'string' },
      'reclaim-after': { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  checkArguments(command, rest);
  const config = loadConfig(values as ConfigFlags);

  if (command === 'serve') {
    const lab = await startLabServer(config);
    const print = (s: string) => process.stdout.write(`${s}\n`);
    print(`\n  « Docker en cluster » — ${lab.url}`);
    print(`  Travaux pratiques : ${lab.backend.reason}`);
    if (!config.room) {
      print(`\n  Ouvrez : ${lab.localUrl}\n`);
      if (process.stdout.isTTY && !process.env.CI && !values['no-open']) openBrowser(lab.localUrl);
    } else {
      const instructor = new URL(lab.localUrl);
      if (instructor.hostname === '0.0.0.0' || instructor.hostname === '[::]') instructor.hostname = '127.0.0.1';
      print(`\n  Formateur (sur cette machine) : ${instructor}`);
      print(`  Tableau de bord de la salle : ${instructor.origin}/cockpit${instructor.search}`);
      print(`  Apprenants : ${lab.joinUrl}\n`);
      print(await terminalQr(lab.joinUrl));
      print('  (liens secrets : ils ne sont écrits nulle part ailleurs ; « npm run lab -- room rotate » tire un nouveau lien d’inscription)\n');
    }
    const stop = () => {
      void lab.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return new Promise<number>(() => undefined);
  }

  if (command === 'room') return room(config.dataDir, rest);
  const shape: ClusterShape = {
    managers: count('--managers', values.managers, DEFAULT_SHAPE.managers, 1, ABSOLUTE_LIMIT.managers),
    workers: count('--workers', values.workers, DEFAULT_SHAPE.workers, 0, ABSOLUTE_LIMIT.workers),
    swarm: values.bare ? 'bare' : 'ready',
  };

  const backend = await detectBackend(detectOptions(config, true));
  if (!backend.driver) {
    process.stderr.write(`Aucun moteur pour les TP : ${backend.reason}\n`);
    return 1;
  }
  // A learner's cluster may be a pre-warmed one handed over (server/capacity/assignments.ts).
  const driver = new AssignedDriver(backend.driver, new Assignments(config.dataDir));
  const clusters = new ClusterManager(driver);
  const cluster = values.cluster!;

  const runner = new LabRunner(clusters, path.join(REPO_ROOT, 'labs'), new ProgressStore(path.join(config.dataDir, 'progress')));
  const labRef = (ref: string | undefined) => {
    if (!ref) throw new UsageError(usageOf(command));
    const [lab, exercise] = ref.split('/');
    return { lab: lab!, exercise };
  };

  switch (command) {
    case 'labs':
      for (const lab of loadAllLabs(path.join(REPO_ROOT, 'labs'))) {
        process.stdout.write(`${lab.id.padEnd(22)} ${lab.title} (${lab.exercises.map((e) => e.id).join(', ')})\n`);
      }
      return 0;
    case 'setup': {
      const { lab } = labRef(rest[0]);
      const started = Date.now();
      await runner.reset(cluster, lab);
      process.stdout.write(`TP « ${lab} » prêt sur le cluster « ${cluster} » en ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
      return 0;
    }
    case 'check': {
      const { lab, exercise } = labRef(rest[0]);
      const report = await runner.check(cluster, lab, exercise, { wait: !values['no-wait'] });
      process.stdout.write(`${report.lab}/${report.exercise} : ${report.ok ? 'RÉUSSI' : 'PAS ENCORE'}\n`);
      for (const c of report.conditions) {
        process.stdout.write(`  ${c.ok ? '✔' : '✘'} ${c.message}\n`);
        if (!c.ok) process.stdout.write(`      observé : ${c.observed}\n      attendu : ${c.expected}\n`);
      }
      return report.ok ? 0 : 1;
    }
    case 'solve': {
      const { lab, exercise } = labRef(rest[0]);
      const typed = await solveThroughServer(config.dataDir, cluster, lab, exercise);
      if (typed) {
        process.stdout.write(`Solution tapée dans le terminal du navigateur (${typed}).\n`);
        return 0;
      }
      const done = await runner.solve(cluster, lab, exercise);
      process.stdout.write(`Solution de ${lab}/${done.id} exécutée.\n`);
      return 0;
    }
    case 'stop':
    case 'start':
    case 'isolate':
    case 'reconnect': {
      const [node] = rest;
      if (!node) throw new UsageError(usageOf(command));
      await runNodeAction(driver, cluster, node, command);
      process.stdout.write(`${actionDoneText(command, node)}.\n`);
      return 0;
    }
    case 'up':
    case 'reset': {
      const started = Date.now();
      if (command === 'up') await clusters.ensure(cluster, shape);
      else await clusters.reset(cluster, shape);
      process.stdout.write(`Cluster « ${cluster} » prêt en ${((Date.now() - started) / 1000).toFixed(1)} s (${backend.reason}).\n`);
      printStatus(await clusters.status(cluster));
      return 0;
    }
    case 'down':
      await clusters.down(cluster);
      process.stdout.write(`Cluster « ${cluster} » supprimé.\n`);
      return 0;
    case 'status':
      printStatus(await clusters.status(cluster));
      return 0;
    case 'exec': {
      const [node, ...cmd] = rest;
      if (!node || cmd.length === 0) throw new UsageError(usageOf(command));
      const result = await driver.exec(cluster, node, cmd);
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      return result.code;
    }
    case 'shell': {
      const [node] = rest;
      if (!node) throw new UsageError(usageOf(command));
      const spec = await driver.shell(cluster, node);
      return new Promise<number>((resolve) => {
        const child = spawn(spec.file, spec.args, { stdio: 'inherit', env: { ...process.env, ...spec.env }, cwd: spec.cwd });
        child.on('close', (code) => resolve(code ?? 1));
      });
    }
    default:
      throw new UsageError(`commande inconnue « ${command} »`);
  }
}

class UsageError extends Error {}

/** How many arguments each command takes (`exec` takes a command line after its node). */
const ARGUMENTS: Record<string, { max: number; usage: string }> = {
  serve: { max: 0, usage: 'serve' },
  up: { max: 0, usage: 'up' },
  down: { max: 0, usage: 'down' },
  reset: { max: 0, usage: 'reset' },
  status: { max: 0, usage: 'status' },
  labs: { max: 0, usage: 'labs' },
  setup: { max: 1, usage: 'setup <tp>' },
  check: { max: 1, usage: 'check <tp>[/<exercice>]' },
  solve: { max: 1, usage: 'solve <tp>[/<exercice>]' },
  stop: { max: 1, usage: 'stop <nœud>' },
  start: { max: 1, usage: 'start <nœud>' },
  isolate: { max: 1, usage: 'isolate <nœud>' },
  reconnect: { max: 1, usage: 'reconnect <nœud>' },
  shell: { max: 1, usage: 'shell <nœud>' },
  room: { max: 2, usage: 'room [rotate | revoke <identifiant>]' },
  exec: { max: Infinity, usage: 'exec <nœud> -- <commande>' },
};

/** The usage line of a command, for a missing argument. */
function usageOf(command: string): string {
  return ARGUMENTS[command]?.usage ?? command;
}

/** An argument a command does not take is an error that names the right command, never ignored. */
function checkArguments(command: string, args: string[]): void {
  const spec = ARGUMENTS[command];
  if (!spec) throw new UsageError(`commande inconnue « ${command} »`);
  if (args.length <= spec.max) return;
  const extra = args.slice(spec.max).map((a) => `« ${a} »`).join(' ');
  if ((command === 'reset' || command === 'up') && args.length === 1) {
    throw new UsageError(`${command} ne prend pas de TP (${extra} en trop) : pour un cluster neuf dans l’état de départ d’un TP, lancez « npm run lab -- setup ${args[0]} »`);
  }
  throw new UsageError(`${command} : argument en trop ${extra} (usage : ${spec.usage})`);
}

/** A whole number option within bounds, or a UsageError in French (never NaN). */
function count(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`${flag} « ${value} » : nombre entier de ${min} à ${max} attendu`);
  return Number(value);
}

/** An authenticated request to the running server, as its local instructor (one-use grant). */
async function askServer(dataDir: string, method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
  const info = await readServerInfo(dataDir);
  if (!info) return undefined;
  const secret = await issueCliGrant(dataDir);
  const res = await fetch(`${info.url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const data: unknown = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(errorOf(data) ?? res.statusText);
  return data;
}

function errorOf(data: unknown): string | undefined {
  return typeof data === 'object' && data !== null && 'error' in data && typeof data.error === 'string' ? data.error : undefined;
}

/** `room`: the learners; `room rotate`, `room revoke <id>` (through the running server). */
async function room(dataDir: string, args: string[]): Promise<number> {
  const [action, id] = args;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (action === undefined) {
    const answer = await askServer(dataDir, 'GET', '/api/room');
    const learners = answer === undefined ? await LearnerRegistry.read(dataDir) : RoomAnswer.parse(answer).learners;
    if (answer === undefined) out('(le serveur ne tourne pas : liste lue dans le dossier de données)');
    out(`${'IDENTIFIANT'.padEnd(12)} ${'RÔLE'.padEnd(11)} ${'INSCRIPTION'.padEnd(20)} NOM`);
    for (const l of learners) out(`${l.id.padEnd(12)} ${(l.role === 'instructor' ? 'formateur' : 'apprenant').padEnd(11)} ${l.created.slice(0, 16).replace('T', ' ').padEnd(20)} ${l.name}`);
    return 0;
  }
  if (action !== 'rotate' && action !== 'revoke') throw new UsageError(`room : action « ${action} » inconnue (rotate, revoke <identifiant>)`);
  if (action === 'revoke' && !id) throw new UsageError('room revoke <identifiant>');
  const answer = await askServer(dataDir, 'POST', action === 'rotate' ? '/api/room/join-code' : `/api/room/learners/${encodeURIComponent(id!)}/revoke`, {});
  if (answer === undefined) {
    process.stderr.write('Le serveur ne tourne pas (npm start) : il tire un nouveau lien d’inscription à chaque démarrage.\n');
    return 1;
  }
  if (action === 'rotate') out(`Nouveau lien d’inscription : ${z.object({ joinUrl: z.string() }).parse(answer).joinUrl}`);
  else out(`Accès de « ${id} » révoqué : ses terminaux sont fermés, sa progression est gardée.`);
  return 0;
}

const RoomAnswer = z.object({ learners: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(['learner', 'instructor']), created: z.string() })) });

/** Opens the course in the default browser, when there is one; silent otherwise. */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

/** When a server runs, `solve` types the solution in the browser's terminal (demo mode). */
async function solveThroughServer(dataDir: string, cluster: string, lab: string, exercise?: string): Promise<string | undefined> {
  const info = await readServerInfo(dataDir);
  if (!info || cluster !== LOCAL_LEARNER) return undefined;
  try {
    await askServer(dataDir, 'POST', `/api/labs/${encodeURIComponent(lab)}/solve`, exercise === undefined ? {} : { exercise });
    return info.url;
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return undefined;
    throw error;
  }
}

function printStatus(status: ClusterStatus): void {
  if (!status.exists) {
    process.stdout.write(`Le cluster « ${status.cluster} » n’existe pas (npm run lab -- up).\n`);
    return;
  }
  const rows = [['NŒUD', 'RÔLE', 'ÉTAT', 'DISPONIBILITÉ', 'LEADER', 'TÂCHES']];
  for (const n of status.nodes) {
    rows.push([
      n.name,
      n.swarm?.role ?? n.role,
      !n.reachable ? 'injoignable' : n.swarm ? n.swarm.state : 'hors swarm',
      n.swarm?.availability ?? '-',
      n.swarm?.leader ? 'oui' : '',
      n.swarm ? String(n.swarm.tasks) : '-',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}`);
    else process.stderr.write(`Erreur : ${(error as Error).message}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);

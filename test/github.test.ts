// The GitHub configuration parses and has the structure the README describes: Pages deploys
// from main only with the Pages permissions on its deploy job alone, pull requests run the
// tests on both supported Node lines and the course CI for the labs they touch, the course CI
// runs on a schedule and uploads its recordings, current action majors, Dependabot weekly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { REPO_ROOT } from '../server/config';

const GITHUB = path.join(REPO_ROOT, '.github');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  'runs-on'?: string;
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps?: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** Parses a YAML file strictly: any syntax error or warning fails with its position. */
function load<T>(file: string): T {
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => `${path.relative(REPO_ROOT, file)}: ${e.message}`);
  expect(problems).toEqual([]);
  return doc.toJS() as T;
}

const workflowFiles = readdirSync(path.join(GITHUB, 'workflows')).filter((f) => /\.ya?ml$/.test(f));
const workflows = Object.fromEntries(workflowFiles.map((f) => [f, load<Workflow>(path.join(GITHUB, 'workflows', f))]));
const wf = (name: string): Workflow => {
  const w = workflows[name];
  if (!w) throw new Error(`.github/workflows/${name} is missing`);
  return w;
};
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => j.steps ?? []);

/** The current majors (December 2026) of the actions the workflows use. */
const ACTION_MAJORS: Record<string, string> = {
  'actions/checkout': 'v6',
  'actions/setup-node': 'v6',
  'actions/configure-pages': 'v6',
  'actions/upload-pages-artifact': 'v5',
  'actions/deploy-pages': 'v5',
  'actions/upload-artifact': 'v7',
};

describe('GitHub configuration', () => {
  it('every workflow parses and has jobs with steps or a called workflow', () => {
    expect(workflowFiles.sort()).toEqual(['course.yml', 'pages.yml', 'pull.yml']);
    for (const [file, w] of Object.entries(workflows)) {
      expect(w.name, file).toBeTruthy();
      expect(Object.keys(w.on ?? {}).length, `${file}: on`).toBeGreaterThan(0);
      expect(w.permissions, `${file}: least privilege at the top`).toEqual({ contents: 'read' });
      for (const [id, job] of Object.entries(w.jobs)) {
        if (job.uses) {
          expect(job.uses, `${file}: ${id}`).toMatch(/^\.\/\.github\/workflows\/[\w-]+\.yml$/);
          expect(workflowFiles, `${file}: ${id} calls a missing workflow`).toContain(path.basename(job.uses));
        } else {
          expect(job['runs-on'], `${file}: ${id}`).toBe('ubuntu-latest');
          expect(job.steps?.length, `${file}: ${id}`).toBeGreaterThan(0);
        }
        for (const need of [job.needs ?? []].flat()) expect(Object.keys(w.jobs), `${file}: ${id} needs ${need}`).toContain(need);
      }
    }
  });

  it('uses the current major of every action, and Node 24 or the supported lines', () => {
    for (const [file, w] of Object.entries(workflows)) {
      for (const step of steps(w).filter((s) => s.uses)) {
        const [action, version] = step.uses!.split('@');
        expect(ACTION_MAJORS, `${file}: ${step.uses} is not a known action`).toHaveProperty([action!]);
        expect(version, `${file}: ${action}`).toBe(ACTION_MAJORS[action!]);
        if (action === 'actions/setup-node') expect([24, '${{ matrix.node }}'], file).toContain(step.with?.['node-version']);
      }
    }
  });

  it('Pages: deploys on every push to main, from main only, with Pages permissions on the deploy job alone', () => {
    const pages = wf('pages.yml');
    expect(pages.on).toHaveProperty('push.branches', ['main']);
    const { build, deploy } = pages.jobs;
    expect(build?.permissions).toBeUndefined();
    expect(deploy?.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
    expect(deploy?.needs).toBe('build');
    expect(deploy?.if).toBe("github.ref == 'refs/heads/main'");
    // The slides do not wait for the course CI.
    expect(steps(pages).some((s) => s.run?.includes('course-labs'))).toBe(false);
    expect(build?.steps?.map((s) => s.run ?? s.uses)).toEqual(expect.arrayContaining(['npm ci', 'npm run build', 'npm run size', 'actions/upload-pages-artifact@v5']));
    expect(readFileSync(path.join(GITHUB, 'workflows', 'pages.yml'), 'utf8')).toContain('Source: « GitHub Actions »');
  });

  it('course CI: on a schedule and called by pull requests, uploads its recordings', () => {
    const course = wf('course.yml');
    expect(Object.keys(course.on).sort()).toEqual(['schedule', 'workflow_call', 'workflow_dispatch']);
    const all = steps(course);
    const run = all.find((s) => s.run?.includes('test/course-labs.test.ts'));
    expect(run?.env).toEqual({ DEC_LABS: '${{ inputs.labs }}', DEC_RECORDINGS_DIR: 'slides/recordings' });
    const upload = all.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({ name: 'recordings', path: 'slides/recordings' });
  });

  it('pull requests: typecheck, tests on Node 22 and 24, the course CI for the touched labs only', () => {
    const pull = wf('pull.yml');
    expect(pull.on).toHaveProperty('pull_request');
    expect(steps(pull).map((s) => s.run)).toContain('npx tsc --noEmit');
    const tests = pull.jobs.tests!;
    expect(tests.strategy?.matrix?.node).toEqual([22, 24]);
    const engines = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('^22.12.0 || >=24');
    expect(tests.steps!.some((s) => s.run === 'npx vitest run --exclude test/course-labs.test.ts')).toBe(true);
    const course = pull.jobs.course!;
    expect(course.uses).toBe('./.github/workflows/course.yml');
    expect(course.needs).toBe('changed-labs');
    expect(course.if).toBe("needs.changed-labs.outputs.labs != ''");
    expect(course.with).toEqual({ labs: '${{ needs.changed-labs.outputs.labs }}' });
  });

  it('the workflows’ shell scripts pass shellcheck', (ctx) => {
    if (spawnSync('sh', ['-c', 'command -v shellcheck']).status !== 0) {
      if (process.env.CI) throw new Error('shellcheck is missing in CI (.ci/run installs it)');
      console.warn('\n!!! shellcheck is not installed: workflow scripts are NOT checked.\n');
      ctx.skip();
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'workflow-sh-'));
    try {
      const files: string[] = [];
      for (const [file, w] of Object.entries(workflows)) {
        steps(w).forEach((s, i) => {
          if (!s.run) return;
          // GitHub's default shell is bash -e -o pipefail; expressions become plain words.
          const script = `#!/usr/bin/env bash\nset -eo pipefail\n${s.run.replace(/\$\{\{[^}]*\}\}/g, 'EXPR')}`;
          const out = path.join(dir, `${file}-${i}.sh`);
          writeFileSync(out, script);
          files.push(out);
        });
      }
      expect(files.length).toBeGreaterThan(5);
      const r = spawnSync('shellcheck', ['--severity=style', ...files], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Dependabot: npm and GitHub Actions, weekly, grouped', () => {
    const d = load<{ version: number; updates: { 'package-ecosystem': string; directory: string; schedule: { interval: string }; groups?: Record<string, unknown> }[] }>(path.join(GITHUB, 'dependabot.yml'));
    expect(d.version).toBe(2);
    expect(d.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const u of d.updates) {
      expect(u.schedule.interval).toBe('weekly');
      expect(u.directory).toBe('/');
      expect(Object.keys(u.groups ?? {}).length, u['package-ecosystem']).toBeGreaterThan(0);
    }
  });
});

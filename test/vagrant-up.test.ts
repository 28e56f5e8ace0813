// `vagrant up`, for real, with Vagrant's docker provider (no hypervisor needed): vagrant/Vagrantfile
// creates three machines (Docker-in-Docker containers with sshd, the box image built from the node
// image), runs the same vagrant/provision.sh as on VMs, which forms the swarm; then the `vagrant`
// driver (machines from `vagrant ssh-config`, reached over SSH) runs a whole lab. Everything
// Vagrant keeps (.vagrant, join tokens) lives in a temporary folder; the machines are destroyed
// at the end and nothing may be left. Skipped loudly without docker or vagrant, fails in CI.
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/config';
import { detectBackend } from '../server/drivers/detect';
import { hasImage } from '../server/drivers/images';
import type { SshDriver } from '../server/drivers/ssh';
import { engine, engineAvailable, leftovers, runWholeLab } from './engine';

const run = promisify(execFile);
const BOX_IMAGE = 'docker-en-cluster/vagrant-node:bookworm';
const VAGRANT_DIR = path.join(REPO_ROOT, 'vagrant');

function vagrantInstalled(): boolean {
  if (spawnSync('sh', ['-c', 'command -v vagrant']).status === 0) return true;
  if (process.env.CI) throw new Error('vagrant up (docker provider): vagrant is missing in CI (.ci/run installs it)');
  console.warn('\n!!! vagrant up (docker provider): SKIPPED — vagrant is not installed (apt-get install -y vagrant).\n');
  return false;
}

const enabled = (await engineAvailable('vagrant up (docker provider)')) && vagrantInstalled();

/** A /24 of 10.213.0.0/16 that no network of the engine uses. */
async function freeSubnet(): Promise<string> {
  const used = (await engine.listNetworks()).flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ''));
  for (let i = 0; i < 100; i++) {
    const candidate = `10.213.${10 + Math.floor(Math.random() * 240)}`;
    if (!used.some((s) => s.startsWith(`${candidate}.`))) return candidate;
  }
  throw new Error('no free subnet in 10.213.0.0/16');
}

describe.skipIf(!enabled)('vagrant up --provider=docker, then --driver vagrant', () => {
  let dir: string;
  let prefix: string;
  let subnet: string;
  let env: NodeJS.ProcessEnv;
  let driver: SshDriver | undefined;
  const saved: Record<string, string | undefined> = {};

  const vagrant = (args: string[], timeout = 1_200_000) =>
    run('vagrant', args, { cwd: VAGRANT_DIR, env, timeout, maxBuffer: 64 * 1024 * 1024 });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dec-vagrant-'));
    prefix = `dec-vagrant-t${process.pid}`;
    subnet = await freeSubnet();
    if (!(await hasImage(engine, BOX_IMAGE))) {
      console.log(`vagrant up test: building ${BOX_IMAGE} (server/images/build-vagrant-image.sh)`);
      await run('bash', [path.join(REPO_ROOT, 'server/images/build-vagrant-image.sh'), BOX_IMAGE], { timeout: 1_200_000 });
    }
    const vars = {
      VAGRANT_DOTFILE_PATH: path.join(dir, '.vagrant'),
      VAGRANT_DEFAULT_PROVIDER: 'docker',
      DEC_SWARM_DIR: path.join(dir, 'swarm'),
      DEC_NAME_PREFIX: prefix,
      DEC_SUBNET: subnet,
    };
    env = { ...process.env, ...vars };
    // The vagrant driver runs `vagrant ssh-config` with the server's environment.
    for (const [k, v] of Object.entries(vars)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const t = performance.now();
    // Vagrant's docker provider lists then inspects every network of the engine: on an engine
    // shared with other clusters, one may vanish in between and fail that machine. `vagrant up`
    // again completes the set (machines already up are kept); any other failure fails the same way.
    for (let attempt = 1; ; attempt++) {
      try {
        // Again with --provision: provision.sh is idempotent and joins the machines that missed the swarm.
        await vagrant(attempt === 1 ? ['up', '--provider=docker'] : ['up', '--provider=docker', '--provision']);
        break;
      } catch (error) {
        const out = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
        if (attempt === 3 || !/No such object|network \S+ not found/.test(out)) throw error;
        console.warn(`vagrant up: a network vanished while Vagrant inspected them (attempt ${attempt}), run again`);
      }
    }
    console.log(`vagrant up --provider=docker (1 manager + 2 workers, provisioned, swarm formed): ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }, 2_700_000);

  afterAll(async () => {
    await driver?.close();
    if (env) {
      const t = performance.now();
      await vagrant(['destroy', '--force'], 600_000);
      console.log(`vagrant destroy --force: ${((performance.now() - t) / 1000).toFixed(1)} s`);
      expect(await leftovers(prefix)).toEqual([]);
      const networks = await engine.listNetworks({ filters: { name: [`vagrant_network_${subnet}.0/24`] } });
      expect(networks.map((n) => n.Name)).toEqual([]);
    }
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 900_000);

  it('created the machines with fixed names and addresses, ran provision.sh and formed the swarm', async () => {
    const containers = await engine.listContainers({ filters: { label: [`org.docker-en-cluster.cluster=${prefix}`] } });
    expect(containers.map((c) => c.Names[0]).sort()).toEqual([`/${prefix}-manager1`, `/${prefix}-worker1`, `/${prefix}-worker2`]);
    const addresses = Object.fromEntries(
      containers.map((c) => [c.Labels['org.docker-en-cluster.node'], c.NetworkSettings?.Networks?.[`vagrant_network_${subnet}.0/24`]?.IPAddress]),
    );
    expect(addresses).toEqual({ manager1: `${subnet}.11`, worker1: `${subnet}.21`, worker2: `${subnet}.22` });
    // provision.sh ran on each machine (it puts the vagrant user in the docker group) and shared the join tokens.
    for (const n of ['manager1', 'worker1', 'worker2']) {
      const { stdout } = await vagrant(['ssh', n, '-c', 'id -nG vagrant'], 120_000);
      expect(stdout.split(/\s+/)).toContain('docker');
    }
    expect(readdirSync(path.join(dir, 'swarm')).sort()).toEqual(['manager-addr', 'manager-token', 'worker-token']);
    const { stdout } = await vagrant(['ssh', 'manager1', '-c', 'docker node ls --format "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"'], 120_000);
    expect(stdout.trim().split('\n').map((l) => l.trim()).sort()).toEqual(['manager1 Ready Leader', 'worker1 Ready', 'worker2 Ready']);
  }, 600_000);

  it('--driver vagrant reaches the machines through vagrant ssh-config and runs a whole lab', async () => {
    const backend = await detectBackend({
      choice: 'vagrant',
      privileged: 'auto',
      socketDir: path.join(dir, 'sockets'),
      cacheDir: path.join(dir, 'cache'),
      loopbackOnly: true,
      vagrantDir: VAGRANT_DIR,
      dataDir: dir,
    });
    expect(backend.reason).toMatch(/machines jointes en SSH \(manager1, worker1, worker2/);
    driver = backend.driver as SshDriver;
    const status = await driver.status('room');
    expect(status.nodes.map((n) => [n.name, n.reachable, n.swarm?.state])).toEqual([
      ['manager1', true, 'ready'],
      ['worker1', true, 'ready'],
      ['worker2', true, 'ready'],
    ]);
    await runWholeLab(driver, dir, 'room', 'services-replicas', ['create', 'scale']);
  }, 1_200_000);
});

import Docker from 'dockerode';
import { OSC133_PROMPT_COMMAND } from '../terminals/command-watch';
import { spawn } from 'node:child_process';
import { swarmStatus } from './swarm-status';
import { nodesOfShape } from '../../src/shared/nodes';
import {
  UnsupportedShapeError,
  type ClusterNode,
  type ClusterShape,
  type ClusterStatus,
  type Driver,
  type ExecResult,
  type ShellSpec,
} from './types';

const NODE = 'manager1';

/**
 * The last resort: the host's own engine as a single node. It gives a shell ON THE HOST, so the
 * server refuses it unless it listens on loopback only (a single learner at their own machine).
 * Labs that need several nodes say clearly that this backend cannot run them.
 */
export class LocalDriver implements Driver {
  readonly kind = 'local' as const;
  readonly maxNodes = 1;

  constructor(private readonly host: Docker) {}

  private check(shape: ClusterShape): void {
    const count = nodesOfShape(shape).length;
    if (count > 1) {
      throw new UnsupportedShapeError(
        `ce TP demande ${count} nœuds, mais le mode « local » n’en a qu’un (le moteur Docker de votre machine). ` +
          'Installez Docker avec les conteneurs privilégiés (Docker-in-Docker) ou utilisez les VM Vagrant.',
      );
    }
  }

  async nodes(): Promise<ClusterNode[]> {
    return [{ name: NODE, role: 'manager' }];
  }

  async up(_cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    this.check(shape);
    if (shape.swarm === 'ready') {
      const info = (await this.host.info()) as { Swarm?: { LocalNodeState?: string } };
      if (info.Swarm?.LocalNodeState !== 'active') await this.host.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
    }
    return this.nodes();
  }

  /** The host's engine is not ours to wipe: reset only leaves the swarm when the lab wants it bare. */
  async reset(cluster: string, shape: ClusterShape): Promise<ClusterNode[]> {
    this.check(shape);
    if (shape.swarm === 'bare') await this.down();
    return this.up(cluster, shape);
  }

  async down(): Promise<void> {
    const info = (await this.host.info()) as { Swarm?: { LocalNodeState?: string } };
    if (info.Swarm?.LocalNodeState === 'active') await this.host.swarmLeave({ force: true });
  }

  async adopt(): Promise<string[]> {
    return [];
  }

  async status(cluster: string): Promise<ClusterStatus> {
    return swarmStatus(
      { cluster, driver: this.kind, exists: true, nodes: [{ name: NODE, role: 'manager', reachable: true }] },
      async () => this.host,
    );
  }

  async shell(_cluster: string, _node: string, command?: string): Promise<ShellSpec> {
    const file = process.env.SHELL || '/bin/bash';
    if (command !== undefined) return { file, args: ['-lc', command] };
    // Bash tells when a command returns (OSC 133, invisible in the terminal): the checks re-run.
    return { file, args: ['-l'], env: { ...(process.env as Record<string, string>), PROMPT_COMMAND: OSC133_PROMPT_COMMAND } };
  }

  async docker(): Promise<Docker> {
    return this.host;
  }

  exec(_cluster: string, _node: string, cmd: string[], input?: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  }

  async power(): Promise<void> {
    throw new UnsupportedShapeError('le mode « local » ne peut pas arrêter la machine hôte : ce TP demande Docker-in-Docker ou des VM.');
  }

  /** Images are already in the host's engine. */
  async loadImages(): Promise<void> {}
}

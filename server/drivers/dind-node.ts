import type Docker from 'dockerode';
import { endpoint } from './dind-network';
import { LABEL } from './labels';

/**
 * What a Docker-in-Docker node container is made of, as pure functions of the driver's choices:
 * the engine's command line (which depends on the node image) and the container's options.
 */

/** Capabilities that run a nested engine where --privileged is refused (see NOTES.md). */
export const DIND_CAPS = [
  'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'NET_RAW', 'MKNOD', 'SYS_CHROOT', 'SETFCAP',
  'DAC_READ_SEARCH', 'IPC_LOCK', 'SYS_NICE',
];

/** Where a node's engine puts the socket it shares with the host (socket mode). */
export const NODE_SOCKET_DIR = '/run/docker-en-cluster';

/**
 * `ours`: the image built by server/images/build-node-image.sh, whose entrypoint always starts
 * `dockerd --host unix:///var/run/docker.sock` and appends its arguments. `docker-dind`: the
 * public docker:dind (or an image built like it), whose entrypoint adds a TCP listener when its
 * arguments are flags, and whose engine then waits 1 + 15 s before starting.
 */
export type NodeFlavour = 'ours' | 'docker-dind';

/** Our image carries the node-image label (build-node-image.sh); anything else is taken for docker:dind. */
export function nodeFlavour(image: { Config?: { Labels?: Record<string, string> | null } }): NodeFlavour {
  return image.Config?.Labels?.[LABEL.role] === 'node-image' ? 'ours' : 'docker-dind';
}

export interface EngineCommand {
  cmd: string[];
  env: string[];
}

/**
 * The node engine's command. A command that begins with `dockerd` makes docker:dind's
 * entrypoint keep exactly the listeners it names (no TCP listener, no 16 s wait); our entrypoint
 * takes extra flags only.
 */
export function engineCommand(flavour: NodeFlavour, opts: { shareSocket: boolean; gid?: number; daemonArgs?: string[] }): EngineCommand {
  const shared = opts.shareSocket ? [`--host=unix://${NODE_SOCKET_DIR}/docker.sock`] : [];
  const group = opts.gid !== undefined && opts.gid !== 0 ? [`--group=${opts.gid}`] : [];
  // More dockerd options (the cluster's lab registry: server/drivers/lab-registry.ts).
  const extra = opts.daemonArgs ?? [];
  // No TLS certificates: the engine is reached through its unix sockets only.
  const env = ['DOCKER_TLS_CERTDIR='];
  if (flavour === 'ours') return { cmd: [...shared, ...group, ...extra], env };
  return { cmd: ['dockerd', '--host=unix:///var/run/docker.sock', ...shared, ...group, ...extra], env };
}

export interface NodeContainerInput {
  name: string;
  hostname: string;
  image: string;
  network: string;
  /** Its fixed IPv4 address on the cluster network (server/drivers/dind-network.ts): a power cycle keeps it. */
  address?: string;
  volume: string;
  labels: Record<string, string>;
  engine: EngineCommand;
  /** Host folder bind-mounted on NODE_SOCKET_DIR (socket mode only). */
  socketDir?: string;
  privileged: boolean;
  extraEnv?: Record<string, string>;
}

/** The create options of a node container. */
export function nodeContainerSpec(n: NodeContainerInput): Docker.ContainerCreateOptions {
  return {
    name: n.name,
    Hostname: n.hostname,
    Image: n.image,
    Cmd: n.engine.cmd,
    Env: [...n.engine.env, ...Object.entries(n.extraEnv ?? {}).map(([k, v]) => `${k}=${v}`)],
    Labels: n.labels,
    HostConfig: {
      NetworkMode: n.network,
      RestartPolicy: { Name: 'unless-stopped' },
      Binds: [`${n.volume}:/var/lib/docker`, ...(n.socketDir ? [`${n.socketDir}:${NODE_SOCKET_DIR}`] : [])],
      // A fresh /run at every start, as on a machine that boots: no stale pid files after a power cut.
      Tmpfs: { '/run': 'rw,exec,mode=755' },
      ...(n.privileged
        ? { Privileged: true }
        : {
            CapAdd: DIND_CAPS,
            SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
            // The API form of --security-opt systempaths=unconfined.
            MaskedPaths: [],
            ReadonlyPaths: [],
            CgroupnsMode: 'host',
            Mounts: [{ Type: 'bind', Source: '/sys/fs/cgroup', Target: '/sys/fs/cgroup', ReadOnly: false }],
          }),
    },
    NetworkingConfig: { EndpointsConfig: { [n.network]: endpoint(n.hostname, n.address) } },
  } as Docker.ContainerCreateOptions;
}

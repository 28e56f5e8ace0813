/** Labels put on every Docker object a driver creates: cleanup is label-based. */
export const LABEL = {
  project: 'org.docker-en-cluster.project',
  cluster: 'org.docker-en-cluster.cluster',
  node: 'org.docker-en-cluster.node',
  role: 'org.docker-en-cluster.role',
  shape: 'org.docker-en-cluster.shape',
  /** `host:pid` of the process that built the cluster: a half-built cluster of a live builder is left alone. */
  builder: 'org.docker-en-cluster.builder',
  /** The data folder (socket folder) that owns the cluster: a server adopts only its own. */
  home: 'org.docker-en-cluster.home',
} as const;

export const PROJECT = 'docker-en-cluster';

export function clusterFilter(cluster?: string): { label: string[] } {
  return { label: cluster ? [`${LABEL.project}=${PROJECT}`, `${LABEL.cluster}=${cluster}`] : [`${LABEL.project}=${PROJECT}`] };
}

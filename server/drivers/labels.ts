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

/**
 * Docker filters for the project's objects, of one cluster and one data folder when given: two
 * data folders (a test and `npm start`) may use the same cluster id without touching each other.
 */
export function clusterFilter(cluster?: string, home?: string): { label: string[] } {
  const label = [`${LABEL.project}=${PROJECT}`];
  if (cluster) label.push(`${LABEL.cluster}=${cluster}`);
  if (home) label.push(`${LABEL.home}=${home}`);
  return { label };
}

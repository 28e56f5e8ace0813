// Kernel features some Swarm functions need (data shared by the checker and the criteria lines).
import type { Condition } from './schema';

export type KernelCondition = Extract<Condition, { kind: 'kernel' }>;
export type KernelFeature = KernelCondition['feature'];

/**
 * Kernel features some Swarm functions need, probed on a node (nodes share the host's kernel
 * in Docker-in-Docker). Each probe asks the kernel itself, loading the module if it exists:
 * - `ipvs`: the ingress routing mesh and service VIPs (generic netlink family IPVS);
 * - `ipsec`: encrypted overlay networks, ESP with AES-GCM (a throw-away security association
 *   on documentation addresses, added then removed in the node's own network namespace).
 */
export const KERNEL_FEATURES: Record<KernelFeature, { probe: string; name: string; needs: string }> = {
  ipvs: {
    probe: 'genl ctrl get name IPVS >/dev/null 2>&1 || test -e /proc/net/ip_vs',
    name: 'IPVS (module ip_vs)',
    needs: 'le maillage de routage (ingress) et les adresses virtuelles des services',
  },
  ipsec: {
    probe:
      "ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x0dec0001 reqid 1 mode transport aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 64 2>/dev/null" +
      ' && ip xfrm state del src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x0dec0001',
    name: 'IPsec ESP avec AES-GCM (INET_ESP, CRYPTO_GCM)',
    needs: 'les réseaux overlay chiffrés (--opt encrypted)',
  },
};

/** What a missing feature prevents, in French, for the learner and the course CI's report. */
export function missingFeatureText(feature: KernelFeature): string {
  const f = KERNEL_FEATURES[feature];
  return `le noyau de cet hôte n’a pas ${f.name} : ${f.needs} ne peuvent pas fonctionner ici (Docker Desktop et la plupart des distributions Linux l’ont)`;
}


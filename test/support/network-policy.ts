/**
 * What Kubernetes NetworkPolicies admit, as the API documents it for ingress: a pod no
 * policy selects admits everything; a selected pod admits a connection that some rule of
 * some selecting policy allows (any of its ports, or all; any of its peers, or all). A peer
 * with a podSelector alone means pods of the policy's namespace; with a namespaceSelector,
 * pods of the namespaces it selects (by their `kubernetes.io/metadata.name` label here).
 */

interface Selector {
    matchLabels?: Record<string, string>;
}

interface Peer {
    podSelector?: Selector;
    namespaceSelector?: Selector;
}

export interface NetworkPolicySpec {
    podSelector: Selector;
    policyTypes?: string[];
    ingress?: { from?: Peer[]; ports?: { port: number }[] }[];
}

export interface PolicyIn {
    namespace: string;
    spec: NetworkPolicySpec;
}

export interface Pod {
    namespace: string;
    labels: Record<string, string>;
}

function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
    return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

function peerMatches(peer: Peer, policyNamespace: string, source: Pod): boolean {
    const namespaceOk =
        peer.namespaceSelector === undefined
            ? source.namespace === policyNamespace
            : selects(peer.namespaceSelector, { "kubernetes.io/metadata.name": source.namespace });
    return namespaceOk && (peer.podSelector === undefined || selects(peer.podSelector, source.labels));
}

/** Whether a connection from `source` to `target` on `port` is admitted. */
export function admits(policies: readonly PolicyIn[], source: Pod, target: Pod, port: number): boolean {
    const selecting = policies.filter(
        (p) =>
            p.namespace === target.namespace &&
            (p.spec.policyTypes ?? ["Ingress"]).includes("Ingress") &&
            selects(p.spec.podSelector, target.labels),
    );
    if (selecting.length === 0) {
        return true;
    }
    return selecting.some((p) =>
        (p.spec.ingress ?? []).some(
            (rule) =>
                (rule.ports === undefined || rule.ports.some((p2) => p2.port === port)) &&
                (rule.from === undefined ||
                    rule.from.length === 0 ||
                    rule.from.some((peer) => peerMatches(peer, p.namespace, source))),
        ),
    );
}

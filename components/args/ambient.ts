import type { MeshKey } from "./arg-paths";
import { show } from "./text";

/**
 * Ambient mode's keys and the checks across them: which namespaces join the mesh without
 * sidecars, which get a waypoint, the cluster's platform and how the Gateway API CRDs
 * arrive. The values these decide are in values/ambient-values.ts.
 */

/**
 * Platforms whose CNI paths differ from the chart's defaults, each a `profile-platform-*` of
 * Istio's cni and ztunnel charts; `none` keeps the defaults (kind, EKS, AKS, kubeadm).
 */
export const PLATFORMS = ["none", "minikube", "k3d", "k3s", "microk8s", "gke", "openshift"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** `install`: the program installs the pinned standard channel; `cluster`: the cluster already has them. */
export const GATEWAY_API_CRD_SOURCES = ["install", "cluster"] as const;
export type GatewayApiCrdSource = (typeof GATEWAY_API_CRD_SOURCES)[number];

/**
 * The namespace of ztunnel and the CNI agent. Both need host privileges (NET_ADMIN and
 * SYS_ADMIN and host paths), which Pod Security's `baseline` refuses, so
 * they do not run in istio-system, whose `baseline` level protects the root CA's namespace.
 * OpenShift admits privileged node agents in kube-system only (Istio's OpenShift profile).
 */
export function ambientAgentNamespace(platform: Platform): string {
    return platform === "openshift" ? "kube-system" : "istio-ambient";
}

/** The ambient data plane of one environment. */
export interface AmbientSettings {
    readonly platform: Platform;
    /** Where ztunnel and the CNI agent run. */
    readonly agentNamespace: string;
    readonly gatewayApiCrds: GatewayApiCrdSource;
    /** Namespaces labelled `istio.io/dataplane-mode=ambient`, sorted. */
    readonly namespaces: readonly string[];
    /** Ambient namespaces with a waypoint, sorted. */
    readonly waypointNamespaces: readonly string[];
    /** Sidecar namespaces whose ambient label, kept since they moved back, is dropped now, sorted. */
    readonly releasedNamespaces: readonly string[];
}

/** What the cross-key checks read, as parsed. */
export interface AmbientKeys {
    readonly ambient: boolean;
    readonly injectionNamespaces: readonly string[];
    readonly ambientNamespaces: readonly string[];
    readonly waypointNamespaces: readonly string[];
    readonly ambientReleasedNamespaces: readonly string[];
}

type AmbientListKey = "ambientNamespaces" | "waypointNamespaces" | "ambientReleasedNamespaces";

/** Each mistake across the ambient keys: the key it is reported under and the message. */
export function ambientProblems(
    keys: AmbientKeys,
    fullKey: (key: MeshKey) => string,
): [key: AmbientListKey, message: string][] {
    const k = fullKey;
    const problems: [AmbientListKey, string][] = [];
    const listed = (name: AmbientListKey, values: readonly string[]): void => {
        if (!keys.ambient && values.length > 0) {
            problems.push([
                name,
                `lists ${values.map(show).join(", ")}, but ${k("ambient")} is false, so no ztunnel would capture them; set ${k("ambient")}: true or empty this list`,
            ]);
        }
    };
    listed("ambientNamespaces", keys.ambientNamespaces);
    listed("waypointNamespaces", keys.waypointNamespaces);
    listed("ambientReleasedNamespaces", keys.ambientReleasedNamespaces);
    for (const namespace of keys.ambientReleasedNamespaces.filter((n) => keys.ambientNamespaces.includes(n))) {
        problems.push([
            "ambientReleasedNamespaces",
            `${show(namespace)} is also in ${k("ambientNamespaces")}, which labels it ambient: a release drops that label, for a namespace moved back to sidecars or taken out of the mesh; remove it here (a namespace moving to ambient again must not be released at its move back before its pods restart)`,
        ]);
    }
    for (const namespace of keys.ambientNamespaces.filter((n) => keys.injectionNamespaces.includes(n))) {
        problems.push([
            "ambientNamespaces",
            `${show(namespace)} is also in ${k("injectionNamespaces")}: a namespace runs sidecars or ambient, not both; remove it from one of the two (moving it to ambient is removing it from ${k("injectionNamespaces")} in the same change)`,
        ]);
    }
    for (const namespace of keys.waypointNamespaces.filter((n) => !keys.ambientNamespaces.includes(n))) {
        problems.push([
            "waypointNamespaces",
            `${show(namespace)} is not in ${k("ambientNamespaces")}: a waypoint serves ambient workloads only (a sidecar is its own L7 proxy); add it there, or remove it here`,
        ]);
    }
    return problems;
}

/**
 * What the ambient keys deploy as asked but likely not as meant, by key.
 * - Sidecars never send through a waypoint (Istio routes only gateways there), so a
 *   waypoint's L7 policies do not see requests from the stack's sidecar namespaces.
 * - A release of a namespace the last deployment did not leave labelled ambient changes nothing.
 */
export function ambientWarnings(
    keys: AmbientKeys,
    lastCaptured: readonly string[] | undefined,
    fullKey: (key: MeshKey) => string,
): [key: AmbientListKey, message: string][] {
    const k = fullKey;
    const warnings: [AmbientListKey, string][] = [];
    if (keys.ambient && keys.waypointNamespaces.length > 0 && keys.injectionNamespaces.length > 0) {
        const sidecars = keys.injectionNamespaces.map(show).join(", ");
        warnings.push([
            "waypointNamespaces",
            `the sidecars of ${sidecars} (${k("injectionNamespaces")}) never pass through a waypoint: their requests to ${keys.waypointNamespaces.map(show).join(", ")} skip its L7 policies, which see only ambient pods and the ingress gateway; keep L4 AuthorizationPolicies (by identity) on those workloads until no sidecar namespace calls them (docs/ambient.md, who passes through a waypoint)`,
        ]);
    }
    if (lastCaptured !== undefined) {
        const idle = keys.ambientReleasedNamespaces.filter((n) => !lastCaptured.includes(n));
        if (idle.length > 0) {
            warnings.push([
                "ambientReleasedNamespaces",
                `${idle.map(show).join(", ")} ${idle.length === 1 ? "was" : "were"} not labelled ambient at the last deployment, so releasing changes nothing; remove ${idle.length === 1 ? "it" : "them"} from this list`,
            ]);
        }
    }
    return warnings;
}

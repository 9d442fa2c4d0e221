import type { AmbientSettings, Platform } from "../args/ambient";
import { SizingPlan, toResources } from "../sizing/sizing";
import { ISTIO_IMAGE_HUB } from "../versions";

/**
 * Pure functions from settings to the values of Istio's `cni` and `ztunnel` charts, and to
 * what istiod adds for ambient. Both charts read `profile: ambient` (the CNI agent's ambient
 * redirection, ztunnel's HBONE) and `platform` (its host paths); only the keys we set are
 * typed, and every one is read by both minors' charts (test/istio-minors.test.ts).
 */

type Resources = ReturnType<typeof toResources>;

/** Istio's name for the ambient profile of every chart. */
export const AMBIENT_PROFILE = "ambient";

/** The Gateway API class whose Gateways istiod runs as waypoints. */
export const WAYPOINT_CLASS = "istio-waypoint";

/** The name of each namespace's waypoint, the one `istioctl waypoint apply` gives. */
export const WAYPOINT_NAME = "waypoint";

/** The port waypoints take HBONE on. */
export const HBONE_PORT = 15008;

const platformValue = (platform: Platform): { platform?: Exclude<Platform, "none"> } =>
    platform === "none" ? {} : { platform };

/** What istiod adds in ambient mode: the ambient profile, and where the ztunnels it trusts run. */
export interface IstiodAmbientValues {
    profile: typeof AMBIENT_PROFILE;
    platform?: Exclude<Platform, "none">;
    /** istiod gives ztunnel's ServiceAccount in this namespace the right to ask for workloads' certificates. */
    trustedZtunnelNamespace: string;
}

export function istiodAmbientValues(
    ambient: Pick<AmbientSettings, "platform" | "agentNamespace">,
): IstiodAmbientValues {
    return {
        profile: AMBIENT_PROFILE,
        ...platformValue(ambient.platform),
        trustedZtunnelNamespace: ambient.agentNamespace,
    };
}

/** What the `cni` and `ztunnel` charts both get: the same keys, each chart's own size. */
export interface AgentValues {
    profile: typeof AMBIENT_PROFILE;
    platform?: Exclude<Platform, "none">;
    /**
     * The revision the `default` tag points to. ztunnel asks that istiod
     * (`istiod-<revision>`) for its configuration and its workloads' certificates; the CNI
     * agent's labels follow it. Both move at a promotion.
     */
    revision: string;
    hub: string;
    /** For ztunnel, the CPU limit is its worker threads (sizing/sizing.ts). */
    resources: Resources;
}

/**
 * The values of one ambient node agent: the CNI agent (`istio-cni-node`, `agent: "cni"`),
 * which redirects each ambient pod's traffic to its node's ztunnel, or ztunnel, the node
 * proxy, which gives every ambient pod on its node mutual TLS and L4 policy.
 */
export function agentValues(
    agent: "cni" | "ztunnel",
    ambient: Pick<AmbientSettings, "platform">,
    plan: SizingPlan,
    revision: string,
): AgentValues {
    return {
        profile: AMBIENT_PROFILE,
        ...platformValue(ambient.platform),
        revision,
        hub: ISTIO_IMAGE_HUB,
        resources: toResources(plan.sizes[agent]),
    };
}

/** The CNI agent of a sidecar mesh: no ambient profile, the platform's paths and its CNI provider (Multus on OpenShift). */
export interface SidecarCniValues {
    platform: Exclude<Platform, "none">;
    revision: string;
    hub: string;
    resources: Resources;
}

/**
 * The `cni` chart's values when sidecars need the CNI agent: on OpenShift, which refuses the
 * NET_ADMIN of the `istio-init` container every injected pod would otherwise run, the agent
 * redirects each pod's traffic to its sidecar instead, and istiod's platform profile injects
 * no `istio-init` (`pilot.cni.enabled`).
 */
export function sidecarCniValues(platform: "openshift", plan: SizingPlan, revision: string): SidecarCniValues {
    return { platform, revision, hub: ISTIO_IMAGE_HUB, resources: toResources(plan.sizes.cni) };
}

/** A namespace's waypoint: the Gateway istiod turns into an Envoy Deployment for L7 policy. */
export function waypointGateway(namespace: string): Record<string, unknown> {
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: {
            name: WAYPOINT_NAME,
            namespace,
            // Pulumi waits until istiod has deployed it and given it an address (10 minutes at
            // most), so the namespace label that sends traffic through it follows a working one.
            annotations: { "pulumi.com/waitFor": "condition=Programmed" },
            // Services' traffic goes through it (Istio's default for a waypoint).
            labels: { "istio.io/waypoint-for": "service" },
        },
        spec: {
            gatewayClassName: WAYPOINT_CLASS,
            listeners: [{ name: "mesh", port: HBONE_PORT, protocol: "HBONE" }],
        },
    };
}

import type { MeshSettings } from "./config";
import type { Overrides } from "./overrides";
import type { ReplicaOverrides, ScaledComponent } from "./replica-overrides";
import { GI } from "./quantity";

/**
 * Sizes every component from the memory of the cluster it runs on. Pure: the same memory
 * always gives the same numbers, and the table below is the only place they come from.
 */

/** Every workload this program deploys, plus the per-workload sidecar default. */
export const COMPONENTS = ["istiod", "ingressGateway", "egressGateway", "proxy", "prometheus", "grafana", "jaeger", "kiali"] as const;
export type Component = (typeof COMPONENTS)[number];

/** CPU in millicores and memory in MiB: numbers, so budgets can be added up. */
export interface Size {
    readonly cpuRequest: number;
    readonly cpuLimit: number;
    readonly memoryRequest: number;
    readonly memoryLimit: number;
}

/** How many pods run, and whether a HorizontalPodAutoscaler and a PodDisruptionBudget manage them. */
export interface Scaling {
    readonly replicas: number;
    readonly autoscale?: { readonly min: number; readonly max: number };
    readonly podDisruptionBudget: boolean;
}

export interface Tier {
    readonly name: "minimal" | "small" | "medium" | "large";
    /** The tier applies from this much cluster memory (bytes) up to the next tier's. */
    readonly fromBytes: number;
    readonly sizes: Readonly<Record<Component, Size>>;
    readonly controlPlane: Scaling;
    readonly gateways: Scaling;
}

const size = (cpuRequest: number, cpuLimit: number, memoryRequest: number, memoryLimit: number): Size => ({
    cpuRequest,
    cpuLimit,
    memoryRequest,
    memoryLimit,
});

export const SINGLE: Scaling = { replicas: 1, podDisruptionBudget: false };

/**
 * The sizing table. Requests are what the scheduler reserves; limits stop one component
 * from starving the others. Reasons, per column:
 * - istiod: demo profile asks 100Mi; 128Mi is the floor where a small mesh's config push
 *   does not OOM. Chart default 2048Mi is production (large tier).
 * - gateways and proxy: demo profile 40Mi, a realistic floor for an idle Envoy.
 * - prometheus: TSDB head for a few hundred series needs ~200Mi; grows with mesh size.
 * - grafana: Go server plus dashboards, 64Mi idle.
 * - jaeger: in-memory trace store; the limit bounds `maxTraces` (see jaeger values).
 * - kiali: caches the mesh graph; 64Mi is the chart's own request.
 */
export const TIERS: readonly Tier[] = [
    {
        // 1Gi to <4Gi: a laptop cluster; demo-profile sizes with just-enough floors.
        name: "minimal",
        fromBytes: 1 * GI,
        sizes: {
            istiod: size(50, 500, 128, 512),
            ingressGateway: size(10, 500, 40, 256),
            egressGateway: size(10, 500, 40, 256),
            proxy: size(10, 500, 40, 256),
            prometheus: size(50, 500, 192, 512),
            grafana: size(25, 250, 64, 192),
            jaeger: size(25, 250, 96, 384),
            kiali: size(10, 250, 64, 256),
        },
        controlPlane: SINGLE,
        gateways: SINGLE,
    },
    {
        // 4Gi to <8Gi: the course's `minikube start --memory 4g`; room for real traffic.
        name: "small",
        fromBytes: 4 * GI,
        sizes: {
            istiod: size(100, 1000, 256, 768),
            ingressGateway: size(50, 1000, 64, 384),
            egressGateway: size(50, 1000, 64, 384),
            proxy: size(20, 1000, 64, 256),
            prometheus: size(100, 1000, 256, 768),
            grafana: size(50, 500, 128, 256),
            jaeger: size(50, 500, 128, 512),
            kiali: size(20, 500, 128, 384),
        },
        controlPlane: SINGLE,
        gateways: SINGLE,
    },
    {
        // 8Gi to <32Gi: shared dev or staging; gateways can grow with load.
        name: "medium",
        fromBytes: 8 * GI,
        sizes: {
            istiod: size(250, 2000, 512, 1024),
            ingressGateway: size(100, 2000, 128, 512),
            egressGateway: size(100, 2000, 128, 512),
            proxy: size(50, 2000, 128, 512),
            prometheus: size(250, 2000, 1024, 2048),
            grafana: size(100, 1000, 256, 512),
            jaeger: size(100, 1000, 256, 1024),
            kiali: size(50, 1000, 256, 512),
        },
        controlPlane: SINGLE,
        gateways: { replicas: 1, autoscale: { min: 1, max: 3 }, podDisruptionBudget: false },
    },
    {
        // 32Gi and up: production shape; istiod's chart defaults, HA control plane and gateways.
        name: "large",
        fromBytes: 32 * GI,
        sizes: {
            istiod: size(500, 4000, 2048, 4096),
            ingressGateway: size(250, 4000, 256, 1024),
            egressGateway: size(250, 4000, 256, 1024),
            proxy: size(100, 2000, 128, 1024),
            prometheus: size(500, 4000, 4096, 8192),
            grafana: size(250, 2000, 512, 1024),
            jaeger: size(250, 2000, 1024, 2048),
            kiali: size(100, 2000, 512, 1024),
        },
        controlPlane: { replicas: 2, autoscale: { min: 2, max: 5 }, podDisruptionBudget: true },
        gateways: { replicas: 2, autoscale: { min: 2, max: 5 }, podDisruptionBudget: true },
    },
];

/** The tier for a cluster of `memoryBytes`. Config validation guarantees at least 1Gi. */
export function tierFor(memoryBytes: number): Tier {
    return [...TIERS].reverse().find((tier) => memoryBytes >= tier.fromBytes) ?? TIERS[0];
}

/** What every component gets in one environment. */
export interface SizingPlan {
    readonly tier: Tier["name"];
    readonly sizes: Readonly<Record<Component, Size>>;
    /** How many pods istiod and each gateway run; the add-ons run one each. */
    readonly scaling: Readonly<Record<ScaledComponent, Scaling>>;
}

/**
 * The tier's sizes and scaling for `memory`, with `istio-mesh:resources` and
 * `istio-mesh:replicas` overrides in their place.
 */
export function planSizing(settings: Pick<MeshSettings, "memory" | "resources" | "replicas">): SizingPlan {
    const tier = tierFor(settings.memory.bytes);
    const overrides: Overrides = settings.resources;
    const replicas: ReplicaOverrides = settings.replicas;
    const sizes = Object.fromEntries(COMPONENTS.map((c) => [c, { ...tier.sizes[c], ...overrides[c] }])) as Record<Component, Size>;
    const scaling = {
        istiod: replicas.istiod ?? tier.controlPlane,
        ingressGateway: replicas.ingressGateway ?? tier.gateways,
        egressGateway: replicas.egressGateway ?? tier.gateways,
    };
    return { tier: tier.name, sizes, scaling };
}

/** A size as Kubernetes container resources. */
export function toResources(s: Size): {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
} {
    return {
        requests: { cpu: `${s.cpuRequest}m`, memory: `${s.memoryRequest}Mi` },
        limits: { cpu: `${s.cpuLimit}m`, memory: `${s.memoryLimit}Mi` },
    };
}



import type { MeshSettings } from "../args/settings";
import type { Overrides } from "../args/overrides";
import type { ReplicaOverrides, ScaledComponent } from "../args/replica-overrides";
import { COMPONENTS, type Component, type Scaling, type Size } from "../args/components";
import { GI } from "../args/quantity";
import type { Availability } from "../args/workload-args";

/**
 * Sizes every component from the memory of the cluster it runs on. Pure: the same memory
 * always gives the same numbers, and the table below is the only place they come from.
 */

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
 * Each of the sample application's three containers, in every tier: a curl loop, NGINX with
 * one worker and go-httpbin each idle under 16Mi and serve one request a second.
 */
const SAMPLE_APP = size(10, 100, 16, 64);

/**
 * The sizing table. Requests are what the scheduler reserves; limits stop one component
 * from starving the others. CPU is in millicores, memory in MiB: size(cpu request, cpu
 * limit, memory request, memory limit). Each row says why its memory is what it is.
 *
 * ztunnel's CPU limit is its worker threads: the chart hands the limit to ztunnel
 * (`ZTUNNEL_CPU_LIMIT`, rounded up to whole cores), which starts that many. One core up to
 * the small tier, where one worker carries a laptop's traffic and a second would only
 * compete with the workloads for the node's few cores; two from the medium tier, where a
 * node's traffic can keep one busy. More than two adds throughput only on nodes whose
 * applications saturate the network, which `istio-mesh:resources` can grant.
 */
export const TIERS: readonly Tier[] = [
    {
        // 1Gi to <4Gi: a laptop cluster; Istio's demo-profile sizes with just-enough floors.
        name: "minimal",
        fromBytes: 1 * GI,
        sizes: {
            istiod: size(50, 500, 128, 512), // demo asks 100Mi; 128Mi is where a small mesh's first push stops OOMing
            ingressGateway: size(10, 500, 40, 256), // demo profile's 40Mi: an idle Envoy
            egressGateway: size(10, 500, 40, 256), // the same idle Envoy
            proxy: size(10, 500, 40, 256), // demo profile's sidecar request
            prometheus: size(50, 500, 192, 512), // TSDB head of a few hundred series
            grafana: size(25, 250, 64, 192), // the Go server idles near 60Mi
            jaeger: size(25, 250, 96, 384), // the limit holds a few thousand traces in memory
            kiali: size(10, 250, 64, 256), // kiali-server's own 64Mi request
            ztunnel: size(50, 1000, 64, 256), // per node; an idle ztunnel holds ~20Mi, 64Mi a few hundred connections
            cni: size(10, 200, 40, 128), // per node; the agent idles near 30Mi and works only when a pod starts
            sampleApp: SAMPLE_APP,
        },
        controlPlane: SINGLE,
        gateways: SINGLE,
    },
    {
        // 4Gi to <8Gi: the course's `minikube start --memory 4g`; room for real traffic.
        name: "small",
        fromBytes: 4 * GI,
        sizes: {
            istiod: size(100, 1000, 256, 768), // pushes to a few dozen sidecars
            ingressGateway: size(50, 1000, 64, 384), // an Envoy with live listeners and traffic
            egressGateway: size(50, 1000, 64, 384), // the same, for outbound traffic
            proxy: size(20, 1000, 64, 256), // routes for a handful of services
            prometheus: size(100, 1000, 256, 768), // about a thousand series from a dozen pods
            grafana: size(50, 500, 128, 256), // dashboards being rendered
            jaeger: size(50, 500, 128, 512), // about ten thousand traces at 100% sampling
            kiali: size(20, 500, 128, 384), // the graph cache of a small mesh
            ztunnel: size(100, 1000, 128, 512), // per node; certificates and connections of a few dozen pods
            cni: size(20, 200, 64, 128), // per node; the same agent, more pods starting
            sampleApp: SAMPLE_APP,
        },
        controlPlane: SINGLE,
        gateways: SINGLE,
    },
    {
        // 8Gi to <32Gi: a shared dev or CI cluster; gateways can grow with load.
        name: "medium",
        fromBytes: 8 * GI,
        sizes: {
            istiod: size(250, 2000, 512, 1024), // config for about a hundred services
            ingressGateway: size(100, 2000, 128, 512), // per replica; the autoscaler adds more
            egressGateway: size(100, 2000, 128, 512), // per replica; the autoscaler adds more
            proxy: size(50, 2000, 128, 512), // sidecars see routes for about a hundred services
            prometheus: size(250, 2000, 1024, 2048), // tens of thousands of series
            grafana: size(100, 1000, 256, 512), // several people at once
            jaeger: size(100, 1000, 256, 1024), // a day of traces at low sampling
            kiali: size(50, 1000, 256, 512), // the graph of about a hundred services
            ztunnel: size(200, 2000, 256, 1024), // per node; about a hundred pods' certificates and pools
            cni: size(50, 500, 100, 256), // per node; the chart's own 100Mi request
            sampleApp: SAMPLE_APP,
        },
        controlPlane: SINGLE,
        gateways: { replicas: 1, autoscale: { min: 1, max: 3 }, podDisruptionBudget: false },
    },
    {
        // 32Gi and up: production shape; HA control plane and gateways.
        name: "large",
        fromBytes: 32 * GI,
        sizes: {
            istiod: size(500, 4000, 2048, 4096), // the istiod chart's own default request
            ingressGateway: size(250, 4000, 256, 1024), // per replica, at production traffic
            egressGateway: size(250, 4000, 256, 1024), // per replica, at production traffic
            proxy: size(100, 2000, 128, 1024), // most sidecars stay small; the limit serves busy ones
            prometheus: size(500, 4000, 4096, 8192), // hundreds of thousands of series
            grafana: size(250, 2000, 512, 1024), // a team's worth of users
            jaeger: size(250, 2000, 1024, 2048), // recent traces of a large mesh
            kiali: size(100, 2000, 512, 1024), // the graph of hundreds of services
            ztunnel: size(500, 2000, 512, 2048), // per node; the chart's own 512Mi request, for busy nodes
            cni: size(100, 500, 100, 256), // per node; the chart's own 100Mi request
            sampleApp: SAMPLE_APP,
        },
        controlPlane: { replicas: 2, autoscale: { min: 2, max: 5 }, podDisruptionBudget: true },
        gateways: { replicas: 2, autoscale: { min: 2, max: 5 }, podDisruptionBudget: true },
    },
];

/** Two pods or more, autoscaled, with a disruption budget of one: what `availability: high` gives. */
export const HIGHLY_AVAILABLE: Scaling = { replicas: 2, autoscale: { min: 2, max: 5 }, podDisruptionBudget: true };

/** The tier's scaling of istiod and the gateways, as `availability` asks: the tier's, one pod, or two and more. */
function availabilityOf(tier: Tier, availability: Availability): Tier {
    switch (availability) {
        case "high":
            return { ...tier, controlPlane: HIGHLY_AVAILABLE, gateways: HIGHLY_AVAILABLE };
        case "single":
            return { ...tier, controlPlane: SINGLE, gateways: SINGLE };
        default:
            return tier;
    }
}

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
export function planSizing(
    settings: Pick<MeshSettings, "memory" | "resources" | "replicas"> & {
        readonly workloads?: Pick<MeshSettings["workloads"], "availability">;
    },
): SizingPlan {
    const tier = availabilityOf(tierFor(settings.memory.bytes), settings.workloads?.availability ?? "auto");
    const overrides: Overrides = settings.resources;
    const replicas: ReplicaOverrides = settings.replicas;
    const sizes = Object.fromEntries(COMPONENTS.map((c) => [c, { ...tier.sizes[c], ...overrides[c] }])) as Record<
        Component,
        Size
    >;
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

/**
 * The workloads this program sizes, and the shape of a size and of a scaling: the
 * vocabulary that `istio-mesh:resources` and `istio-mesh:replicas` are written in, and that
 * the sizing table fills in.
 */

/**
 * Every workload this program deploys, plus the per-workload sidecar default; `ztunnel` and
 * `cni` (the CNI agent) are ambient's DaemonSets, sized per node; `sampleApp` is each container
 * of the sample application, when asked for.
 */
export const COMPONENTS = [
    "istiod",
    "ingressGateway",
    "egressGateway",
    "proxy",
    "prometheus",
    "grafana",
    "jaeger",
    "kiali",
    "ztunnel",
    "cni",
    "sampleApp",
] as const;
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

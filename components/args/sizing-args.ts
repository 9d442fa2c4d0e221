// What the mesh may use of the cluster: the memory it sizes itself from, and what overrides it.

import type { Availability } from "./workload-args";

/** CPU and memory, as a container's `resources` writes them. */
export interface ResourceAmountsArgs {
    /**
     * CPU, e.g. `250m` or `"1"`.
     * @default the sizing table's
     */
    cpu?: string;
    /**
     * Memory in Mi or Gi, e.g. `256Mi`.
     * @default the sizing table's
     */
    memory?: string;
}

/** Requests and limits of one component that win over the sizing table, field by field. */
export interface ResourceRequirementsArgs {
    /**
     * What the scheduler reserves.
     * @default the sizing table's
     */
    requests?: ResourceAmountsArgs;
    /**
     * What the container may use at most.
     * @default the sizing table's
     */
    limits?: ResourceAmountsArgs;
}

/** Per-component overrides of the sizing table. */
export interface ComponentResourcesArgs {
    /** istiod's container. @default the sizing table's */
    istiod?: ResourceRequirementsArgs;
    /** The ingress gateway's container. @default the sizing table's */
    ingressGateway?: ResourceRequirementsArgs;
    /** The egress gateway's container. @default the sizing table's */
    egressGateway?: ResourceRequirementsArgs;
    /** Every sidecar's container. @default the sizing table's */
    proxy?: ResourceRequirementsArgs;
    /** Prometheus's server container. @default the sizing table's */
    prometheus?: ResourceRequirementsArgs;
    /** Grafana's container. @default the sizing table's */
    grafana?: ResourceRequirementsArgs;
    /** Jaeger's all-in-one container. @default the sizing table's */
    jaeger?: ResourceRequirementsArgs;
    /** Kiali's container. @default the sizing table's */
    kiali?: ResourceRequirementsArgs;
    /** ztunnel's container, on every node. @default the sizing table's */
    ztunnel?: ResourceRequirementsArgs;
    /** The CNI agent's container, on every node. @default the sizing table's */
    cni?: ResourceRequirementsArgs;
    /** Each container of the sample application. @default the sizing table's */
    sampleApp?: ResourceRequirementsArgs;
}

/** A replica count, or an autoscaling range. */
export interface ReplicaArgs {
    /**
     * A fixed number of pods, 1 to 20.
     * @default the tier's
     */
    count?: number;
    /**
     * The autoscaler's minimum, with `max`.
     * @default the tier's
     */
    min?: number;
    /**
     * The autoscaler's maximum, with `min`.
     * @default the tier's
     */
    max?: number;
}

/** Replica overrides of the parts that scale out. */
export interface ComponentReplicasArgs {
    /** istiod's pods. @default the tier's */
    istiod?: ReplicaArgs;
    /** The ingress gateway's pods. @default the tier's */
    ingressGateway?: ReplicaArgs;
    /** The egress gateway's pods. @default the tier's */
    egressGateway?: ReplicaArgs;
}

/** How big the mesh is: every size comes from the cluster's memory, by tier. */
export interface SizingArgs {
    /**
     * Memory of the cluster the mesh is sized for, 1Gi to 1Ti.
     * @default "4Gi"
     */
    memory?: string;
    /**
     * Share of `memory` the mesh and its add-ons may request, 10 to 90 percent.
     * @default 50
     */
    budgetPercent?: number;
    /**
     * Requests and limits that win over the sizing table.
     * @default none
     */
    resources?: ComponentResourcesArgs;
    /**
     * Replica counts that win over the tier's and over `availability`.
     * @default none
     */
    replicas?: ComponentReplicasArgs;
    /**
     * How many pods istiod and the gateways run: `high` runs two or more of each, spread
     * over nodes, with a disruption budget; `single` one of each; `auto` as the tier says.
     * @default "auto"
     */
    availability?: Availability;
}

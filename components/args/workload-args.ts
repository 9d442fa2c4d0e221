import type * as pulumi from "@pulumi/pulumi";

/**
 * The arguments a real cluster asks of every workload the mesh runs: where its images come
 * from, where its pods may be scheduled, and how available its control plane and gateways
 * are. Part of `IstioMeshArgs` (istio-mesh-args.ts), which re-exports it.
 */

/** How many pods istiod and the gateways run, and what guards them. */
export const Availability = {
    /** As the memory tier decides: two or more pods, with disruption budgets, from the large tier. */
    Auto: "auto",
    /** One pod each, no disruption budget: a laptop, a test cluster. */
    Single: "single",
    /** Two pods or more each, spread over nodes, with a disruption budget of one: production. */
    High: "high",
} as const;
export type Availability = (typeof Availability)[keyof typeof Availability];

/** Where the mesh's images come from. */
export interface ImagesArgs {
    /**
     * A registry that mirrors every image the mesh deploys, each under its path: Istio's
     * `docker.io/istio/pilot` is pulled as `<registry>/istio/pilot`, Kiali's
     * `quay.io/kiali/kiali` as `<registry>/kiali/kiali`. A host, with a port and a path if
     * needed (`mirror.example.com:5000/hub`), no scheme.
     * @default each image's own registry (Docker Hub, quay.io)
     */
    registry?: string;
    /**
     * Names of `kubernetes.io/dockerconfigjson` Secrets every pod of the mesh pulls with. The
     * mesh does not create them: something else must put them in each of its namespaces
     * before its pods start (prefer `registryCredentials`, which the mesh places itself).
     * @default none
     */
    pullSecrets?: string[];
    /**
     * A Docker config (`{"auths": {...}}`, as `~/.docker/config.json` holds it), kept secret:
     * the mesh writes it as the Secret `registry-credentials` in each namespace it runs pods
     * in, before the pods, and pulls every image with it.
     * @default none
     */
    registryCredentials?: pulumi.Input<string>;
}

/** A toleration of a taint, as a pod spec's. */
export interface TolerationArgs {
    /**
     * The taint's key; empty with `Exists` tolerates every taint.
     * @default any key
     */
    key?: string;
    /**
     * `Equal` (the key with `value`) or `Exists` (the key with any value).
     * @default "Equal"
     */
    operator?: string;
    /**
     * The taint's value, with `Equal`.
     * @default ""
     */
    value?: string;
    /**
     * `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
     * @default every effect
     */
    effect?: string;
    /**
     * How long a pod stays on a node tainted `NoExecute`, in seconds.
     * @default for ever
     */
    tolerationSeconds?: number;
}

/** Where one component's pods may run. */
export interface PlacementArgs {
    /**
     * Node labels a node must have.
     * @default any node
     */
    nodeSelector?: Record<string, string>;
    /**
     * Taints its pods tolerate.
     * @default none
     */
    tolerations?: TolerationArgs[];
    /**
     * The PriorityClass of its pods, which must exist.
     * @default the cluster's default priority
     */
    priorityClassName?: string;
}

/**
 * Placement of the mesh's Deployments, per component, over `all`'s: a component's own field
 * wins over `all`'s, field by field. ztunnel and the CNI agent run on every node and
 * tolerate every taint, as they must: they take none.
 */
export interface SchedulingArgs {
    /**
     * Every Deployment of the mesh: istiod, the gateways, the add-ons.
     * @default any node
     */
    all?: PlacementArgs;
    /** istiod's pods. @default as `all` */
    istiod?: PlacementArgs;
    /** The ingress gateway's pods. @default as `all` */
    ingressGateway?: PlacementArgs;
    /** The egress gateway's pods. @default as `all` */
    egressGateway?: PlacementArgs;
    /** Prometheus's pod. @default as `all` */
    prometheus?: PlacementArgs;
    /** Grafana's pod. @default as `all` */
    grafana?: PlacementArgs;
    /** Jaeger's pod. @default as `all` */
    jaeger?: PlacementArgs;
    /** Kiali's pod. @default as `all` */
    kiali?: PlacementArgs;
}

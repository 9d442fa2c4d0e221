import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PinnedChart } from "./versions";
import { REGISTRY_CREDENTIALS_SECRET } from "./args/workloads";
import type { ChartValues } from "./args/chart-values";
import { mergeValues } from "./values/chart-values";

/** What a part's chart gets over the values the mesh computes, in this order. */
export interface ChartLayers {
    /**
     * Registry, pull secrets and placement (values/workload-values.ts), over its values.
     * @default none
     */
    workload?: Record<string, unknown>;
    /**
     * The consumer's values for its chart (`chartValues`), merged last.
     * @default none
     */
    chartValues?: ChartValues;
}

/**
 * Helpers every component shares: the options its children get, and how a pinned chart
 * becomes a Chart v4 resource.
 */

/**
 * Options for a component's children: parented to it, and waiting for what the component
 * waits for, and for `after`. The engine does not pass a component's `dependsOn` on to its
 * children.
 */
export function childOptions(
    parent: pulumi.Resource,
    opts?: pulumi.ComponentResourceOptions,
    ...after: pulumi.Resource[]
): pulumi.CustomResourceOptions {
    if (after.length === 0) {
        return { parent, dependsOn: opts?.dependsOn };
    }
    const own = opts?.dependsOn;
    const listed = own === undefined ? [] : Array.isArray(own) ? own : [own as pulumi.Input<pulumi.Resource>];
    return { parent, dependsOn: [...listed, ...after] };
}

export interface PinnedChartArgs {
    /** Helm release name: Kubernetes object names and labels derive from it. */
    release: string;
    namespace: pulumi.Input<string>;
    values: pulumi.Inputs;
    /**
     * The consumer's `chartValues` for this chart, merged last over `values`. Not optional:
     * every chart the mesh installs says what it gets, even when that is nothing.
     */
    override: ChartValues | undefined;
}

/**
 * A Chart v4 of a pinned chart, with its values and the consumer's override merged over them.
 * Chart v4 renders client-side, so `pulumi preview` lists every Kubernetes object the chart
 * would create, change or delete.
 */
export function pinnedChart(
    name: string,
    pinned: PinnedChart,
    args: PinnedChartArgs,
    opts: pulumi.ComponentResourceOptions,
): k8s.helm.v4.Chart {
    return new k8s.helm.v4.Chart(
        name,
        {
            chart: pinned.chart,
            version: pinned.version,
            repositoryOpts: { repo: pinned.repo },
            name: args.release,
            namespace: args.namespace,
            values: mergeValues(args.values, args.override),
        },
        opts,
    );
}

/**
 * A component that is one pinned chart and nothing else: the chart is its only child,
 * named from the component's name. Istio's base and istiod, Prometheus, Jaeger and Kiali
 * are this; the gateways and Grafana build more around their chart.
 */
export class ChartComponent extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;

    /** @param type the component's type token, e.g. `istio-mesh:addons:Kiali` */
    constructor(
        type: string,
        name: string,
        pinned: PinnedChart,
        args: PinnedChartArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super(type, name, {}, opts);
        this.chart = pinnedChart(name, pinned, args, childOptions(this, opts));
        this.registerOutputs({ chart: this.chart });
    }
}

/**
 * The registry credentials the mesh's pods pull with, written into one of its namespaces as
 * a `kubernetes.io/dockerconfigjson` Secret before any of its pods: a chart given the
 * Secret's namespace output as its own namespace waits for it. The Docker config stays
 * secret in the state and the preview; destroy deletes the Secret, which the next `up`
 * writes again.
 *
 * @returns the Secret
 */
export function registryCredentialsIn(
    name: string,
    namespace: pulumi.Input<string>,
    dockerConfig: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        name,
        {
            metadata: { name: REGISTRY_CREDENTIALS_SECRET, namespace },
            type: "kubernetes.io/dockerconfigjson",
            stringData: { ".dockerconfigjson": pulumi.secret(dockerConfig) },
        },
        opts,
    );
}

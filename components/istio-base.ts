import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions, pinnedChart } from "./chart";
import { baseValues } from "./istio-values";
import { istioCharts } from "./versions";

export interface IstioBaseArgs {
    /** Namespace of the control plane; pass the namespace's output so the chart waits for it. */
    namespace: pulumi.Input<string>;
    /**
     * Istio release to install.
     * @default the version pinned in versions.ts
     */
    version: string;
}

/**
 * Istio's CRDs and cluster-wide resources (the `base` chart). The CRDs carry
 * `helm.sh/resource-policy: keep`, which Chart v4 turns into RetainOnDelete: `pulumi
 * destroy` leaves them, and with them every VirtualService and DestinationRule users made.
 */
export class IstioBase extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: IstioBaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:core:IstioBase", name, {}, opts);
        this.chart = pinnedChart(
            name,
            istioCharts(args.version).base,
            { release: "istio-base", namespace: args.namespace, values: baseValues() },
            childOptions(this, opts),
        );
        this.registerOutputs({ chart: this.chart });
    }
}

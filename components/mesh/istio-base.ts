import * as pulumi from "@pulumi/pulumi";
import { ChartComponent } from "../chart";
import type { ChartValues } from "../args/chart-values";
import { baseValues } from "../values/istio-values";
import { istioCharts } from "../versions";

export interface IstioBaseArgs {
    /** Namespace of the control plane; pass the namespace's output so the chart waits for it. */
    namespace: pulumi.Input<string>;
    /**
     * Istio release to install: the newest revision running, since CRDs serve every revision.
     */
    version: string;
    /**
     * The revision whose istiod validates Istio resources: the one the `default` tag points
     * to, or the istiod of before revisions (Service `istiod`).
     * @default the istiod of before revisions
     */
    validatingRevision?: string;
    /**
     * The consumer's values for the chart, merged last.
     * @default none
     */
    chartValues?: ChartValues;
}

/**
 * Istio's CRDs and cluster-wide resources (the `base` chart). The CRDs carry
 * `helm.sh/resource-policy: keep`, which Chart v4 turns into RetainOnDelete: `pulumi
 * destroy` leaves them, and with them every VirtualService and DestinationRule users made.
 * Its `istiod-default-validator` sends Istio resources to the default revision's istiod.
 */
export class IstioBase extends ChartComponent {
    constructor(name: string, args: IstioBaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "istio-mesh:core:IstioBase",
            name,
            istioCharts(args.version).base,
            {
                release: "istio-base",
                namespace: args.namespace,
                values: baseValues(args.validatingRevision),
                override: args.chartValues,
            },
            opts,
        );
    }
}

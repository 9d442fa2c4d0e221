import * as pulumi from "@pulumi/pulumi";
import { ChartComponent } from "../chart";
import { baseValues } from "../values/istio-values";
import { istioCharts } from "../versions";

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
export class IstioBase extends ChartComponent {
    constructor(name: string, args: IstioBaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:core:IstioBase", name, istioCharts(args.version).base, { release: "istio-base", namespace: args.namespace, values: baseValues() }, opts);
    }
}

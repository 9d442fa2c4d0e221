import * as pulumi from "@pulumi/pulumi";
import { ChartComponent } from "../chart";
import { istiodValues, TracingProvider } from "../values/istio-values";
import { SizingPlan } from "../sizing/sizing";
import { istioCharts } from "../versions";

export interface IstioControlPlaneArgs {
    /** Namespace of the control plane; pass the namespace's output so the chart waits for it. */
    namespace: pulumi.Input<string>;
    /** Istio release to install; must match the base chart's. */
    version: string;
    /** Sizes of istiod and of the sidecar default, from the sizing module. */
    sizing: SizingPlan;
    /**
     * Tracing backends istiod may send spans to.
     * @default [] (no tracing provider)
     */
    tracing?: readonly TracingProvider[];
}

/** istiod: the control plane, its sidecar-injection and validation webhooks. */
export class IstioControlPlane extends ChartComponent {
    constructor(name: string, args: IstioControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:core:ControlPlane", name, istioCharts(args.version).istiod, { release: "istiod", namespace: args.namespace, values: istiodValues(args.sizing, args.tracing) }, opts);
    }
}

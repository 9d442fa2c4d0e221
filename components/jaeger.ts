import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { JaegerOptions, jaegerValues } from "./addon-values";
import { childOptions, pinnedChart } from "./chart";
import { ADDON_CHARTS } from "./versions";

export interface JaegerArgs extends JaegerOptions {
    /** Namespace to run in; istiod's tracing provider points at `jaeger` there. */
    namespace: string;
}

/** Jaeger v2 all-in-one with an in-memory store: the mesh's tracing backend. */
export class Jaeger extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: JaegerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:addons:Jaeger", name, {}, opts);
        const { namespace, ...options } = args;
        this.chart = pinnedChart(
            name,
            ADDON_CHARTS.jaeger,
            { release: "jaeger", namespace, values: jaegerValues(options) },
            childOptions(this, opts),
        );
        this.registerOutputs({ chart: this.chart });
    }
}

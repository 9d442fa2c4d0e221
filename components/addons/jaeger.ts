import * as pulumi from "@pulumi/pulumi";
import { JaegerOptions, jaegerValues } from "../values/addon-values";
import { type ChartLayers, ChartComponent } from "../chart";
import { ADDON_CHARTS } from "../versions";
import { mergeValues } from "../values/chart-values";

export interface JaegerArgs extends JaegerOptions, ChartLayers {
    /** Namespace to run in; istiod's tracing provider points at `jaeger` there. */
    namespace: string;
}

/** Jaeger v2 all-in-one with an in-memory store: the mesh's tracing backend. */
export class Jaeger extends ChartComponent {
    constructor(name: string, args: JaegerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "istio-mesh:addons:Jaeger",
            name,
            ADDON_CHARTS.jaeger,
            {
                release: "jaeger",
                namespace: args.namespace,
                values: mergeValues(jaegerValues(args), args.workload ?? {}),
                override: args.chartValues,
            },
            opts,
        );
    }
}

import * as pulumi from "@pulumi/pulumi";
import { JaegerOptions, jaegerValues } from "../values/addon-values";
import { ChartComponent } from "../chart";
import type { ChartValues } from "../args/chart-values";
import { ADDON_CHARTS } from "../versions";
import { mergeValues } from "../values/chart-values";

export interface JaegerArgs extends JaegerOptions {
    /** Namespace to run in; istiod's tracing provider points at `jaeger` there. */
    namespace: string;
    /**
     * Registry, pull secrets and placement (values/workload-values.ts), over its values.
     * @default none
     */
    workload?: Record<string, unknown>;
    /**
     * The consumer's values for the chart, merged last.
     * @default none
     */
    chartValues?: ChartValues;
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

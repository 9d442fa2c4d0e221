import * as pulumi from "@pulumi/pulumi";
import { PrometheusOptions, prometheusValues } from "../values/addon-values";
import { ChartComponent } from "../chart";
import { ADDON_CHARTS } from "../versions";

export interface PrometheusArgs extends PrometheusOptions {
    /** Namespace to run in; Kiali and Istio look for `prometheus:9090` in `istio-system`. */
    namespace: string;
}

/** Prometheus server scraping the mesh (pods and service endpoints, Istio's merged metrics). */
export class Prometheus extends ChartComponent {
    constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "istio-mesh:addons:Prometheus",
            name,
            ADDON_CHARTS.prometheus,
            { release: "prometheus", namespace: args.namespace, values: prometheusValues(args) },
            opts,
        );
    }
}

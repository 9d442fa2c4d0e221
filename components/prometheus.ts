import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PrometheusOptions, prometheusValues } from "./addon-values";
import { childOptions, pinnedChart } from "./chart";
import { ADDON_CHARTS } from "./versions";

export interface PrometheusArgs extends PrometheusOptions {
    /** Namespace to run in; Kiali and Istio look for `prometheus:9090` in `istio-system`. */
    namespace: string;
}

/** Prometheus server scraping the mesh (pods and service endpoints, Istio's merged metrics). */
export class Prometheus extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:addons:Prometheus", name, {}, opts);
        const { namespace, ...options } = args;
        this.chart = pinnedChart(
            name,
            ADDON_CHARTS.prometheus,
            { release: "prometheus", namespace, values: prometheusValues(options) },
            childOptions(this, opts),
        );
        this.registerOutputs({ chart: this.chart });
    }
}

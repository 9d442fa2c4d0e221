import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ADDON_SERVICES } from "../values/addon-endpoints";
import { PrometheusOptions, prometheusValues } from "../values/addon-values";
import { type ChartLayers, childOptions, pinnedChart } from "../chart";
import { ADDON_CHARTS } from "../versions";
import { mergeValues } from "../values/chart-values";

export interface PrometheusArgs extends Omit<PrometheusOptions, "volumeClaim">, ChartLayers {
    /** Namespace to run in; Kiali and Istio look for `prometheus:9090` in `istio-system`. */
    namespace: string;
    /**
     * Size of the data volume, a Kubernetes quantity such as `8Gi`.
     * @default no volume: an emptyDir that a restart empties
     */
    storage?: string;
    /**
     * Provider for the data volume's claim, one that adopts an existing claim
     * (`upsertExistingObjects`): `pulumi destroy` keeps the claim, and the next `up` must take
     * it over rather than fail with AlreadyExists.
     * @default the component's provider (a kept claim then fails the next `up`)
     */
    volumeProvider?: k8s.Provider;
    /**
     * Earlier URNs of the data volume's claim, so that a stack whose claim lived elsewhere
     * (the chart rendered it, before this component owned it) updates it rather than
     * deleting it with its data.
     * @default none
     */
    claimAliases?: string[];
}

/**
 * Prometheus server scraping the mesh (pods and service endpoints, Istio's merged metrics).
 * With `storage`, its data lives on a PersistentVolumeClaim this component owns and
 * `pulumi destroy` keeps (`retainOnDelete`): metrics cannot be recreated. The chart mounts
 * it as its `existingClaim`.
 */
export class Prometheus extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;
    /** The data volume's claim, with `storage`. */
    public readonly volumeClaim?: k8s.core.v1.PersistentVolumeClaim;

    constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:addons:Prometheus", name, {}, opts);
        const { namespace, volumeProvider, storage, claimAliases, workload, chartValues, ...options } = args;
        const claimName = ADDON_SERVICES.prometheus.service;
        if (storage !== undefined) {
            this.volumeClaim = new k8s.core.v1.PersistentVolumeClaim(
                `${name}-data`,
                {
                    metadata: {
                        name: claimName,
                        namespace,
                        labels: { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/component": "server" },
                        // Nothing to wait for: with a WaitForFirstConsumer class the claim binds only
                        // once the server's pod is scheduled, and the chart's Deployment is awaited.
                        annotations: { "pulumi.com/skipAwait": "true" },
                    },
                    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } },
                },
                {
                    ...childOptions(this, opts),
                    provider: volumeProvider,
                    retainOnDelete: true,
                    aliases: claimAliases ?? [],
                },
            );
        }
        this.chart = pinnedChart(
            name,
            ADDON_CHARTS.prometheus,
            {
                release: "prometheus",
                namespace,
                values: mergeValues(
                    prometheusValues({ ...options, volumeClaim: this.volumeClaim && claimName }),
                    workload ?? {},
                ),
                override: chartValues,
            },
            childOptions(this, opts, ...(this.volumeClaim ? [this.volumeClaim] : [])),
        );
        this.registerOutputs({ chart: this.chart, volumeClaim: this.volumeClaim });
    }
}

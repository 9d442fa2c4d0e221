import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GRAFANA_ADMIN_SECRET, grafanaValues } from "../values/addon-values";
import { type ChartLayers, childOptions, pinnedChart } from "../chart";
import { dashboardSets } from "../values/grafana-dashboards";
import { Size } from "../args/components";
import { ADDON_CHARTS } from "../versions";
import { mergeValues } from "../values/chart-values";

export interface GrafanaArgs extends ChartLayers {
    /** Namespace to run in (create it first: `dependsOn`). */
    namespace: string;
    /** The Prometheus its datasource reads: the bundled one's in-cluster URL, or an existing one's. */
    prometheusUrl: string;
    /** Requests and limits, from the sizing module. */
    size: Size;
    /**
     * Browser-facing URL of Grafana, for its redirects.
     * @default served under /grafana on whatever host the browser used
     */
    externalUrl?: string;
    /**
     * Whether ztunnel runs: Grafana then also gets Istio's ztunnel dashboard.
     * @default false
     */
    ambient?: boolean;
}

/**
 * Grafana with the Prometheus datasource and Istio's dashboards, shipped in ConfigMaps. Its
 * admin password is generated here and handed over in a Secret, so the chart never
 * generates one.
 */
export class Grafana extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;
    /** The Secret with the admin credentials; Kiali reads Grafana's API with them. */
    public readonly adminSecret: k8s.core.v1.Secret;
    /** The `admin` user's password (secret). */
    public readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:addons:Grafana", name, {}, opts);
        const password = new random.RandomPassword(`${name}-admin`, { length: 24, special: false }, { parent: this });
        this.adminSecret = new k8s.core.v1.Secret(
            `${name}-admin`,
            {
                metadata: { name: GRAFANA_ADMIN_SECRET, namespace: args.namespace },
                type: "Opaque",
                stringData: { "admin-user": "admin", "admin-password": password.result },
            },
            childOptions(this, opts),
        );
        const sets = dashboardSets(args.ambient ?? false);
        const dashboards = sets.map(
            (set) =>
                new k8s.core.v1.ConfigMap(
                    `${name}-${set.configMap}`,
                    { metadata: { name: set.configMap, namespace: args.namespace }, data: { ...set.files } },
                    childOptions(this, opts),
                ),
        );
        const values = mergeValues(
            grafanaValues({
                size: args.size,
                prometheusUrl: args.prometheusUrl,
                adminSecret: GRAFANA_ADMIN_SECRET,
                dashboardSets: sets,
                externalUrl: args.externalUrl,
            }),
            args.workload ?? {},
        );
        this.chart = pinnedChart(
            name,
            ADDON_CHARTS.grafana,
            { release: "grafana", namespace: args.namespace, values, override: args.chartValues },
            {
                parent: this,
                // The Secret and ConfigMaps already wait for what Grafana waits for.
                dependsOn: [this.adminSecret, ...dashboards],
            },
        );
        this.adminPassword = pulumi.secret(password.result);
        this.registerOutputs({ chart: this.chart, adminSecret: this.adminSecret, adminPassword: this.adminPassword });
    }
}

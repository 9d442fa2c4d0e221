import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { grafanaValues } from "./addon-values";
import { childOptions, pinnedChart } from "./chart";
import { Size } from "./sizing";
import { ADDON_CHARTS } from "./versions";

export interface GrafanaArgs {
    /** Namespace to run in (create it first: `dependsOn`); the datasource points at `prometheus` there. */
    namespace: string;
    /** Requests and limits, from the sizing module. */
    size: Size;
    /**
     * Browser-facing URL of Grafana, for its redirects.
     * @default served under /grafana on whatever host the browser used
     */
    externalUrl?: string;
}

/**
 * Grafana with the Prometheus datasource and Istio's dashboards. Its admin password is
 * generated here and handed over in a Secret, so the chart never generates one.
 */
export class Grafana extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;
    /** The `admin` user's password (secret). */
    public readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:addons:Grafana", name, {}, opts);
        const password = new random.RandomPassword(`${name}-admin`, { length: 24, special: false }, { parent: this });
        const adminSecret = new k8s.core.v1.Secret(
            `${name}-admin`,
            {
                metadata: { name: "grafana-admin", namespace: args.namespace },
                type: "Opaque",
                stringData: { "admin-user": "admin", "admin-password": password.result },
            },
            childOptions(this, opts),
        );
        const values = grafanaValues({ size: args.size, namespace: args.namespace, adminSecret: "grafana-admin", externalUrl: args.externalUrl });
        this.chart = pinnedChart(name, ADDON_CHARTS.grafana, { release: "grafana", namespace: args.namespace, values }, {
            parent: this,
            // The Secret already waits for what Grafana waits for.
            dependsOn: [adminSecret],
        });
        this.adminPassword = pulumi.secret(password.result);
        this.registerOutputs({ chart: this.chart, adminPassword: this.adminPassword });
    }
}

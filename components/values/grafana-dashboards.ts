import * as fs from "fs";
import * as path from "path";

/**
 * Istio's own Grafana dashboards for 1.31 (istio/istio `manifests/addons/dashboards`, the
 * JSON Istio's add-on install ships), kept in grafana-dashboards/ and handed to Grafana in
 * ConfigMaps: nothing is downloaded when Grafana starts, so they work without internet.
 */

/** One ConfigMap of dashboards, mounted as one Grafana dashboard provider's folder. */
export interface DashboardSet {
    /** Grafana dashboard provider name; its files appear under /var/lib/grafana/dashboards/<provider>. */
    provider: string;
    configMap: string;
    /** File name in the ConfigMap -> the dashboard's JSON text. */
    files: Readonly<Record<string, string>>;
}

const DIR = path.join(__dirname, "grafana-dashboards");

function load(files: readonly string[]): Record<string, string> {
    return Object.fromEntries(files.map((file) => [file, fs.readFileSync(path.join(DIR, file), "utf8")]));
}

/**
 * Two ConfigMaps, split as Istio splits them: together the dashboards are about 330KB, and
 * a stack that turns server-side apply off (`kubernetes:enableServerSideApply: false`)
 * copies each object into an annotation that may hold 256KiB at most.
 */
export const ISTIO_DASHBOARD_SETS: readonly DashboardSet[] = [
    {
        provider: "istio",
        configMap: "istio-grafana-dashboards",
        files: load([
            "istio-extension-dashboard.json",
            "istio-mesh-dashboard.gen.json",
            "istio-performance-dashboard.json",
            "pilot-dashboard.gen.json",
        ]),
    },
    {
        provider: "istio-services",
        configMap: "istio-services-grafana-dashboards",
        files: load(["istio-service-dashboard.json", "istio-workload-dashboard.json"]),
    },
];

/** Istio's ztunnel dashboard, only where ztunnel runs (`istio-mesh:ambient`). */
export const AMBIENT_DASHBOARD_SET: DashboardSet = {
    provider: "istio-ambient",
    configMap: "istio-ambient-grafana-dashboards",
    files: load(["ztunnel-dashboard.gen.json"]),
};

/** The dashboard sets Grafana gets: Istio's, and the ztunnel one with ambient mode. */
export function dashboardSets(ambient: boolean): readonly DashboardSet[] {
    return ambient ? [...ISTIO_DASHBOARD_SETS, AMBIENT_DASHBOARD_SET] : ISTIO_DASHBOARD_SETS;
}

/** The title of each shipped dashboard: what Grafana lists and Kiali searches for. */
export function dashboardTitles(): string[] {
    return ISTIO_DASHBOARD_SETS.flatMap((set) =>
        Object.values(set.files).map((text) => (JSON.parse(text) as { title: string }).title),
    );
}

import * as yaml from "js-yaml";
import type { MeshSettings } from "../args/settings";
import { ISTIO_NAMESPACE } from "./istio-values";

/**
 * The scrape jobs an existing Prometheus needs to see the mesh as the bundled one does.
 * The bundled Prometheus finds every target by the `prometheus.io/*` annotations Istio puts
 * on istiod, on every proxy (merged metrics at 15020/stats/prometheus) and on ztunnel, with the
 * chart's `kubernetes-pods` job and its labels kept (never the target's: `honor_labels:
 * false`). These jobs are that job, each limited to one part of the mesh, so Kiali's graph and
 * Istio's dashboards read the same labels from either Prometheus; test/telemetry.test.ts
 * checks the relabelling against what the pinned chart renders.
 */

/** One relabelling step, as Prometheus's configuration writes it. */
export interface Relabel {
    readonly source_labels?: readonly string[];
    readonly action?: "keep" | "drop" | "replace" | "labelmap";
    readonly regex?: string;
    readonly replacement?: string;
    readonly target_label?: string;
}

/** A scrape job, as Prometheus's configuration writes it. */
export interface ScrapeJob {
    readonly job_name: string;
    readonly honor_labels: false;
    readonly kubernetes_sd_configs: readonly { role: "pod"; namespaces?: { names: readonly string[] } }[];
    readonly relabel_configs: readonly Relabel[];
}

/**
 * The bundled Prometheus's `kubernetes-pods` relabelling (prometheus chart 29.27.0): keep pods
 * annotated `prometheus.io/scrape: "true"` (not `scrape_slow`), scrape the annotated scheme,
 * path and port, and label each series with the pod's labels, namespace, name and node.
 */
export const ANNOTATED_POD_RELABELING: readonly Relabel[] = [
    { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: "true" },
    { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape_slow"], action: "drop", regex: "true" },
    {
        source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scheme"],
        action: "replace",
        regex: "(https?)",
        target_label: "__scheme__",
    },
    {
        source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
        action: "replace",
        target_label: "__metrics_path__",
        regex: "(.+)",
    },
    {
        source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_port", "__meta_kubernetes_pod_ip"],
        action: "replace",
        regex: "(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})",
        replacement: "[$2]:$1",
        target_label: "__address__",
    },
    {
        source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_port", "__meta_kubernetes_pod_ip"],
        action: "replace",
        regex: "(\\d+);((([0-9]+?)(\\.|$)){4})",
        replacement: "$2:$1",
        target_label: "__address__",
    },
    {
        action: "labelmap",
        regex: "__meta_kubernetes_pod_annotation_prometheus_io_param_(.+)",
        replacement: "__param_$1",
    },
    { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" },
    { source_labels: ["__meta_kubernetes_namespace"], action: "replace", target_label: "namespace" },
    { source_labels: ["__meta_kubernetes_pod_name"], action: "replace", target_label: "pod" },
    { source_labels: ["__meta_kubernetes_pod_phase"], regex: "Pending|Succeeded|Failed|Completed", action: "drop" },
    { source_labels: ["__meta_kubernetes_pod_node_name"], action: "replace", target_label: "node" },
];

/** The path of merged metrics Istio's injector annotates every proxy with: Envoy's and the app's. */
export const PROXY_METRICS_PATH = "/stats/prometheus";

function job(name: string, keep: Relabel, namespaces?: readonly string[]): ScrapeJob {
    return {
        job_name: name,
        honor_labels: false,
        kubernetes_sd_configs: [
            { role: "pod", ...(namespaces !== undefined && { namespaces: { names: [...namespaces] } }) },
        ],
        relabel_configs: [keep, ...ANNOTATED_POD_RELABELING],
    };
}

/**
 * The jobs for the mesh these settings deploy: istiod (every revision) in istio-system, every
 * proxy of the cluster (sidecars, gateways, waypoints), and ztunnel where ambient runs it.
 */
export function meshScrapeJobs(settings: Pick<MeshSettings, "ambient">): ScrapeJob[] {
    const app = (name: string): Relabel => ({
        source_labels: ["__meta_kubernetes_pod_label_app"],
        action: "keep",
        regex: name,
    });
    return [
        job("istiod", app("istiod"), [ISTIO_NAMESPACE]),
        job("envoy-stats", {
            source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
            action: "keep",
            regex: PROXY_METRICS_PATH,
        }),
        ...(settings.ambient === undefined ? [] : [job("ztunnel", app("ztunnel"), [settings.ambient.agentNamespace])]),
    ];
}

/**
 * The jobs as YAML, a list to put under `scrape_configs:` of a Prometheus's configuration, or
 * as the Prometheus operator's `additionalScrapeConfigs` (docs/telemetry.md).
 */
export function meshScrapeConfig(settings: Pick<MeshSettings, "ambient">): string {
    return yaml.dump(meshScrapeJobs(settings), { lineWidth: -1, noRefs: true });
}

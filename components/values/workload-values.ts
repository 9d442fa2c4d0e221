import { CHART_VALUE_CHARTS, type ChartValuesChart } from "../args/chart-values";
import type { Placement, WorkloadSettings } from "../args/workloads";
import { ISTIO_IMAGE_HUB } from "../versions";

/**
 * What the cluster asks of every chart's workload, as each chart's values: the registry its
 * images come from, the Secrets it pulls with, where its pods may run and how they spread.
 * Each chart spells these its own way; the fragment is merged over the chart's other values
 * (`mergeValues`). Pure: tested as exact objects, and in the rendered manifests.
 */

/** The charts a fragment is written for, by the role of their workload: every chart that runs pods but the east-west gateway, which takes the ingress gateway's. */
export type WorkloadChart = Exclude<ChartValuesChart, "base" | "eastWestGateway">;

export const WORKLOAD_CHARTS: readonly WorkloadChart[] = CHART_VALUE_CHARTS.filter(
    (chart): chart is WorkloadChart => chart !== "base" && chart !== "eastWestGateway",
);

/** Every image the mesh deploys under its registry host, as a mirror keeps it: the path stays. */
const IMAGE_PATHS = {
    istio: ISTIO_IMAGE_HUB.replace(/^docker\.io\//, ""),
    prometheus: "prometheus/prometheus",
    configReloader: "prometheus-operator/prometheus-config-reloader",
    kiali: "kiali/kiali",
} as const;

/** Where Istio's images come from: the mirror, under Istio's path, or Docker Hub. */
export function istioHub(registry: string | undefined): string {
    return registry === undefined ? ISTIO_IMAGE_HUB : `${registry}/${IMAGE_PATHS.istio}`;
}

/** Spread pods over nodes where the scheduler can; never refuse to schedule for it. */
function spreadOverNodes(labels: Record<string, string>): Record<string, unknown>[] {
    return [
        {
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: labels },
        },
    ];
}

/** A placement's fields, as the charts that spell them as the pod spec does take them. */
function podPlacement(placement: Placement | undefined): Record<string, unknown> {
    return {
        ...(placement?.nodeSelector !== undefined && { nodeSelector: { ...placement.nodeSelector } }),
        ...(placement?.tolerations !== undefined && { tolerations: placement.tolerations.map((t) => ({ ...t })) }),
    };
}

/**
 * The fragment of `chart`'s values for these workload settings; `spread` is the pod labels
 * to spread over nodes, for the workloads `availability: high` runs two and more of.
 */
export function workloadValues(
    chart: WorkloadChart,
    workloads: Pick<WorkloadSettings, "registry" | "pullSecrets" | "placement">,
    spread?: Record<string, string>,
): Record<string, unknown> {
    return withoutEmptyMaps(chartFragment(chart, workloads, spread));
}

/** A values tree without the maps that set nothing: merged, they would still add a key. */
function withoutEmptyMaps(values: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(values)
            .map(([key, value]): [string, unknown] => [key, isObject(value) ? withoutEmptyMaps(value) : value])
            .filter(([, value]) => !isObject(value) || Object.keys(value).length > 0),
    );
}

function chartFragment(
    chart: WorkloadChart,
    workloads: Pick<WorkloadSettings, "registry" | "pullSecrets" | "placement">,
    spread?: Record<string, string>,
): Record<string, unknown> {
    const { registry, pullSecrets } = workloads;
    const secrets = pullSecrets.length > 0 ? [...pullSecrets] : undefined;
    const named = secrets?.map((name) => ({ name }));
    const placement = chart === "cni" || chart === "ztunnel" ? undefined : workloads.placement[chart];
    const priority = placement?.priorityClassName;
    const spreading = spread === undefined ? {} : { topologySpreadConstraints: spreadOverNodes(spread) };
    switch (chart) {
        case "istiod":
            return {
                ...podPlacement(placement),
                ...spreading,
                global: {
                    ...(registry !== undefined && { hub: istioHub(registry) }),
                    ...(secrets && { imagePullSecrets: secrets }),
                    ...(priority !== undefined && { priorityClassName: priority }),
                },
            };
        case "ingressGateway":
        case "egressGateway":
            // The gateway's proxy image is injected by istiod, from its hub.
            return {
                ...podPlacement(placement),
                ...spreading,
                ...(named && { imagePullSecrets: named }),
                ...(priority !== undefined && { priorityClassName: priority }),
            };
        case "cni":
            return {
                ...(registry !== undefined && { hub: istioHub(registry) }),
                ...(secrets && { global: { imagePullSecrets: secrets } }),
            };
        case "ztunnel":
            return {
                ...(registry !== undefined && { hub: istioHub(registry) }),
                ...(secrets && { imagePullSecrets: secrets }),
            };
        case "prometheus":
            return {
                ...(named && { imagePullSecrets: named }),
                ...(registry !== undefined && {
                    configmapReload: {
                        prometheus: { image: { repository: `${registry}/${IMAGE_PATHS.configReloader}` } },
                    },
                }),
                server: {
                    ...podPlacement(placement),
                    ...(priority !== undefined && { priorityClassName: priority }),
                    ...(registry !== undefined && {
                        image: { repository: `${registry}/${IMAGE_PATHS.prometheus}` },
                    }),
                },
            };
        case "grafana":
            return {
                ...podPlacement(placement),
                ...(priority !== undefined && { priorityClassName: priority }),
                global: {
                    ...(registry !== undefined && { imageRegistry: registry }),
                    ...(secrets && { imagePullSecrets: secrets }),
                },
            };
        case "jaeger":
            return {
                ...(registry !== undefined && { global: { imageRegistry: registry } }),
                // The chart takes no priority class (workloads.ts warns).
                jaeger: {
                    ...podPlacement(placement),
                    ...(secrets && { image: { pullSecrets: secrets } }),
                },
            };
        case "kiali":
            return {
                deployment: {
                    ...(placement?.nodeSelector !== undefined && { node_selector: { ...placement.nodeSelector } }),
                    ...(placement?.tolerations !== undefined && {
                        tolerations: placement.tolerations.map((t) => ({ ...t })),
                    }),
                    ...(priority !== undefined && { priority_class_name: priority }),
                    ...(secrets && { image_pull_secrets: secrets }),
                    ...(registry !== undefined && { image_name: `${registry}/${IMAGE_PATHS.kiali}` }),
                },
            };
    }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);

import * as pulumi from "@pulumi/pulumi";
import type { Addon } from "../args/addons";
import { routedDashboards } from "../args/exposure";
import type { MeshSettings } from "../args/settings";
import { inClusterNamespace } from "../args/value-checks";
import type { SizingPlan } from "../sizing/sizing";
import { kialiTracing, meshTracingProvider, prometheusReadUrl } from "../values/addon-endpoints";
import { jaegerMaxTraces } from "../values/addon-values";
import { meshScrapeConfig } from "../values/prometheus-scrape";
import { workloadValues } from "../values/workload-values";
import { dashboardUrl, hostBaseUrl } from "../values/dashboard-urls";
import { GATEWAY_NAMES, ISTIO_NAMESPACE } from "../values/istio-values";
import { Grafana } from "../addons/grafana";
import { Jaeger } from "../addons/jaeger";
import { Kiali } from "../addons/kiali";
import { KialiCredentials } from "../addons/kiali-credentials";
import { Prometheus } from "../addons/prometheus";
import { DashboardRoutes } from "../mesh/dashboards";
import { MeshTracing } from "../mesh/mesh-tracing";
import { MeshNetworkPolicies } from "../mesh/network-policies";
import type { ControlPlaneParts } from "./control-plane";
import { movedChild } from "./moved";

/**
 * The URN Prometheus's data claim had before the program owned it: a child of the chart of
 * the root-level `prometheus` component (Chart v4 names its children `<chart>:<namespace>/<name>`,
 * pulumi-kubernetes provider/pkg/provider/yaml/v2/yaml.go). A stack deployed then, updated
 * now, updates the claim instead of deleting it with its data. Only the program's stacks
 * have that history; for any other mesh the alias matches nothing.
 */
function chartEraClaim(): string {
    const chain = "istio-mesh:addons:Prometheus$kubernetes:helm.sh/v4:Chart$kubernetes:core/v1:PersistentVolumeClaim";
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${chain}::prometheus:istio-system/prometheus`;
}

/** The namespace of an existing Prometheus whose URL names a Service of the cluster; undefined for one outside. */
function prometheusNamespace(url: string): string | undefined {
    return inClusterNamespace(new URL(url).hostname);
}

/** What the telemetry side of the mesh gives its outputs. */
export interface TelemetryParts {
    /** The dashboards routed through the ingress gateway. */
    readonly routed: readonly Addon[];
    readonly kialiLoginToken?: pulumi.Output<string>;
    readonly grafanaAdminPassword?: pulumi.Output<string>;
    /** The scrape jobs to add to an existing Prometheus that does not scrape the mesh itself. */
    readonly prometheusScrapeConfig?: string;
    /** Everything this part of the mesh made: the record waits for all of it. */
    readonly created: pulumi.Resource[];
}

export interface TelemetryInputs {
    readonly settings: MeshSettings;
    readonly sizing: SizingPlan;
    readonly core: ControlPlaneParts;
}

/**
 * The add-ons, their credentials, tracing, the dashboard routes and the NetworkPolicies. They
 * need the namespace, and Grafana and Kiali need Prometheus; none waits for the gateways.
 */
export function buildTelemetry(
    mesh: pulumi.ComponentResource,
    name: string,
    { settings, sizing, core }: TelemetryInputs,
): TelemetryParts {
    const child = (old: string, opts: pulumi.CustomResourceOptions = {}) => movedChild(mesh, old, opts);
    const enabled = (addon: Addon): boolean => settings.addons.includes(addon);
    // Kiali's login token reads the whole cluster: it exists only where Kiali does.
    const kialiCredentials = enabled("kiali")
        ? new KialiCredentials(
              `${name}-kiali-credentials`,
              { namespace: core.namespace.name },
              child("kiali-credentials"),
          )
        : undefined;
    // Dashboards with a login are routed with `dashboards: ingress`; Prometheus and Jaeger only on request.
    const routed = routedDashboards(settings);
    const hostBase = hostBaseUrl(settings);
    // A routed dashboard's browser URL: absolute with a host name, else its path on whatever address the browser used.
    const externalUrl = (addon: Addon): string | undefined =>
        routed.includes(addon) ? dashboardUrl(addon, hostBase ?? "") : undefined;
    // Absolute URLs only where a host name makes them known before deployment.
    const hostUrl = (addon: Addon): string | undefined => (hostBase === undefined ? undefined : externalUrl(addon));
    const afterNamespace = { dependsOn: core.systemPodsReady };
    const workload = (addon: Addon) => ({ workload: workloadValues(addon, settings.workloads) });
    const prometheus = enabled("prometheus")
        ? new Prometheus(
              `${name}-prometheus`,
              {
                  namespace: ISTIO_NAMESPACE,
                  size: sizing.sizes.prometheus,
                  retention: settings.prometheusRetention,
                  kubeletTlsVerify: settings.kubeletTlsVerify,
                  storage: settings.prometheusStorage,
                  volumeProvider: core.adopter,
                  claimAliases: [chartEraClaim()],
                  externalUrl: hostUrl("prometheus"),
                  ...workload("prometheus"),
                  chartValues: settings.chartValues.prometheus,
              },
              child("prometheus", afterNamespace),
          )
        : undefined;
    const afterPrometheus = [...core.systemPodsReady, ...(prometheus ? [prometheus] : [])];
    const prometheusUrl = prometheusReadUrl(settings, ISTIO_NAMESPACE);
    const grafana = enabled("grafana")
        ? new Grafana(
              `${name}-grafana`,
              {
                  namespace: ISTIO_NAMESPACE,
                  prometheusUrl,
                  size: sizing.sizes.grafana,
                  externalUrl: hostUrl("grafana"),
                  ambient: settings.ambient !== undefined,
                  ...workload("grafana"),
                  chartValues: settings.chartValues.grafana,
              },
              child("grafana", { dependsOn: afterPrometheus }),
          )
        : undefined;
    const created: pulumi.Resource[] = [
        ...(kialiCredentials ? [kialiCredentials] : []),
        ...(prometheus ? [prometheus] : []),
        ...(grafana ? [grafana] : []),
    ];
    if (enabled("jaeger")) {
        const jaeger = new Jaeger(
            `${name}-jaeger`,
            {
                namespace: ISTIO_NAMESPACE,
                size: sizing.sizes.jaeger,
                maxTraces: jaegerMaxTraces(sizing.sizes.jaeger),
                ...workload("jaeger"),
                chartValues: settings.chartValues.jaeger,
            },
            child("jaeger", afterNamespace),
        );
        created.push(jaeger);
    }
    // The mesh's spans go to the bundled Jaeger or to the collector the settings name.
    const tracingProvider = meshTracingProvider(settings, ISTIO_NAMESPACE);
    if (tracingProvider !== undefined) {
        const tracing = new MeshTracing(
            `${name}-mesh-tracing`,
            {
                rootNamespace: ISTIO_NAMESPACE,
                provider: tracingProvider.name,
                samplingPercentage: settings.tracingSampling,
            },
            child("mesh-tracing", core.afterIstiod),
        );
        created.push(tracing);
    }
    if (kialiCredentials !== undefined) {
        const kiali = new Kiali(
            `${name}-kiali`,
            {
                namespace: ISTIO_NAMESPACE,
                size: sizing.sizes.kiali,
                signingKeyRef: kialiCredentials.signingKeyRef,
                anonymous: settings.kialiAnonymous,
                addons: settings.addons,
                externalUrls: Object.fromEntries(routed.map((addon) => [addon, externalUrl(addon)])),
                ...workload("kiali"),
                chartValues: settings.chartValues.kiali,
                prometheusUrl,
                tracing: kialiTracing(settings, ISTIO_NAMESPACE, externalUrl("jaeger")),
            },
            // Kiali's pod mounts Grafana's admin Secret to read Grafana's API.
            child("kiali", {
                dependsOn: [...afterPrometheus, kialiCredentials, ...(grafana ? [grafana.adminSecret] : [])],
            }),
        );
        created.push(kiali);
    }
    const ingressNamespace = settings.gatewayNamespaces.ingress;
    if (routed.length > 0) {
        const routes = new DashboardRoutes(
            `${name}-dashboards`,
            {
                namespace: core.gatewayNamespace(ingressNamespace),
                addonNamespace: ISTIO_NAMESPACE,
                rootNamespace: ISTIO_NAMESPACE,
                addons: routed,
                host: settings.dashboardHost,
                tlsSecret: settings.dashboardTlsSecret,
                allowedCidrs: settings.dashboardAllowedCidrs,
                gatewaySelector: { istio: GATEWAY_NAMES.ingress.replace(/^istio-/, "") },
            },
            child("dashboards", core.afterIstiod),
        );
        created.push(routes);
    }
    if (settings.networkPolicies) {
        const egress = settings.gatewayNamespaces.egress;
        const policies = new MeshNetworkPolicies(
            `${name}-network-policies`,
            {
                meshNamespace: { name: ISTIO_NAMESPACE, output: core.namespace.name },
                ...(settings.ingressGateway && {
                    ingressNamespace: { name: ingressNamespace, output: core.gatewayNamespace(ingressNamespace) },
                }),
                ...(settings.egressGateway && {
                    egressNamespace: { name: egress, output: core.gatewayNamespace(egress) },
                }),
                addons: settings.addons,
                routed,
                ...(settings.existingPrometheus !== undefined && {
                    existingPrometheus: { namespace: prometheusNamespace(settings.existingPrometheus.url) },
                }),
            },
            child("network-policies"),
        );
        created.push(policies);
    }
    const existing = settings.existingPrometheus;
    return {
        routed,
        kialiLoginToken: kialiCredentials?.loginToken,
        grafanaAdminPassword: grafana?.adminPassword,
        ...(existing !== undefined && !existing.scrapesMesh && { prometheusScrapeConfig: meshScrapeConfig(settings) }),
        created,
    };
}

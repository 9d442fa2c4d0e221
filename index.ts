import * as pulumi from "@pulumi/pulumi";
import { adoptingProvider } from "./components/mesh/adopting-provider";
import { ADDON_SERVICES, jaegerMaxTraces, jaegerTracingProvider } from "./components/values/addon-values";
import {
    dashboardAccess as describeDashboardAccess,
    dashboardUrl,
    dashboardUrlsKnown,
    hostBaseUrl,
    portForwardCommand,
} from "./components/values/dashboard-urls";
import { Addon } from "./components/config/config";
import { loadMeshSettings } from "./components/settings";
import { IstioControlPlane } from "./components/mesh/control-plane";
import { DashboardRoutes } from "./components/mesh/dashboards";
import { routedDashboards } from "./components/config/exposure";
import { IstioGateway } from "./components/mesh/gateway";
import { Grafana } from "./components/addons/grafana";
import { IstioBase } from "./components/mesh/istio-base";
import { GATEWAY_NAMES, ISTIO_NAMESPACE, TracingProvider } from "./components/values/istio-values";
import { Jaeger } from "./components/addons/jaeger";
import { Kiali } from "./components/addons/kiali";
import { KialiCredentials } from "./components/addons/kiali-credentials";
import { MeshMtls } from "./components/mesh/mesh-mtls";
import { MeshTracing } from "./components/mesh/mesh-tracing";
import { MeshNetworkPolicies } from "./components/mesh/network-policies";
import { MeshNamespace } from "./components/mesh/namespace";
import { Prometheus } from "./components/addons/prometheus";
import { RevisionTags } from "./components/mesh/revision-tags";
import { RunningControlPlanes } from "./components/mesh/running-control-planes";
import { SidecarInjection } from "./components/mesh/sidecar-injection";
import { gatewayMoveNotes, planControlPlanes } from "./components/values/control-plane-plan";
import { planSizing } from "./components/sizing/sizing";
import { readLastDeployment } from "./components/mesh/last-deployment";
import { AmbientDataPlane } from "./components/mesh/ambient-data-plane";
import { GatewayApiCrds } from "./components/mesh/gateway-api-crds";
import { Waypoints } from "./components/mesh/waypoints";

/**
 * The program: one istio-mesh environment. Async so that it reads what the stack's last
 * deployment ran before it validates the configuration, and registers nothing else before
 * that. It returns the stack outputs.
 */
export = async (): Promise<Record<string, unknown>> => {
    // Validate first: a bad key stops the program here, before any resource is registered but
    // the read of what the last deployment ran, which an upgrade step is checked against.
    const last = await readLastDeployment();
    const settings = loadMeshSettings(last);
    // Shown in the preview: what deploys as asked but likely not as meant.
    for (const warning of settings.warnings) {
        void pulumi.log.warn(warning);
    }
    const sizing = planSizing(settings);
    const version = settings.istioVersion;
    const controlPlanePlan = planControlPlanes(settings, last);
    const enabled = (addon: Addon): boolean => settings.addons.includes(addon);

    // Tracing goes to Jaeger's OTLP receiver when Jaeger is on.
    const tracing: TracingProvider[] = enabled("jaeger") ? [jaegerTracingProvider(ISTIO_NAMESPACE)] : [];

    // The core mesh: namespace -> base -> one istiod per revision -> the revision tags ->
    // namespace labels; istiod's webhooks admit everything Istio after it. The namespace and the
    // CRDs may exist already (kept by destroy, or from a manual install): those two adopt what
    // they find.
    const adopter = adoptingProvider("adopt-existing", settings.kubernetes);
    const adopting = { providers: [adopter] };
    const namespace = new MeshNamespace("istio-system", {}, adopting);
    const base = new IstioBase(
        "istio-base",
        {
            namespace: namespace.name,
            version: controlPlanePlan.crdVersion,
            validatingRevision: controlPlanePlan.validatingRevision,
        },
        adopting,
    );
    // Named from their revisions: an upgrade adds and removes whole control planes, never renames one.
    const istiods = new Map(
        controlPlanePlan.istiods.map((istiod) => [
            istiod.name,
            new IstioControlPlane(
                istiod.name,
                { namespace: namespace.name, istiod, sizing, tracing, ambient: settings.ambient },
                { dependsOn: [base] },
            ),
        ]),
    );
    const kept = controlPlanePlan.istiods.filter((istiod) => istiod.mustBeRunning).map((istiod) => istiod.name);
    if (kept.length > 0) {
        new RunningControlPlanes("running-control-planes", { namespace: ISTIO_NAMESPACE, istiods: kept });
    }
    const tags = new RevisionTags(
        "revision-tags",
        { namespace: ISTIO_NAMESPACE, tags: controlPlanePlan.tags },
        { dependsOn: [...istiods.values()] },
    );
    const afterIstiod = { dependsOn: [istiods.get(controlPlanePlan.stableIstiod) as IstioControlPlane] };
    // Each gateway in a namespace of its own (or istio-system, for a stack deployed so): the
    // gateway chart's role reads every Secret of its namespace, and istio-system holds the root CA.
    const gatewayNamespaces = new Map<string, MeshNamespace>([[ISTIO_NAMESPACE, namespace]]);
    const gatewayNamespace = (name: string): pulumi.Output<string> => {
        let created = gatewayNamespaces.get(name);
        if (created === undefined) {
            created = new MeshNamespace(name, { name }, adopting);
            gatewayNamespaces.set(name, created);
        }
        return created.name;
    };
    const gateway = { version, revision: controlPlanePlan.gatewayRevision, sizing };
    const ingressNamespace = settings.gatewayNamespaces.ingress;
    const ingress = new IstioGateway(
        "ingress-gateway",
        {
            ...gateway,
            namespace: gatewayNamespace(ingressNamespace),
            role: "ingress",
            service: {
                type: settings.ingressServiceType,
                awaitAddress: settings.awaitIngressAddress,
                externalTrafficPolicy: settings.ingressExternalTrafficPolicy,
            },
        },
        afterIstiod,
    );
    if (settings.egressGateway) {
        new IstioGateway(
            "egress-gateway",
            { ...gateway, namespace: gatewayNamespace(settings.gatewayNamespaces.egress), role: "egress" },
            afterIstiod,
        );
    }
    new MeshMtls("mesh-mtls", { rootNamespace: ISTIO_NAMESPACE, mode: settings.mtlsMode }, afterIstiod);
    // Ambient: istiod, then the CNI agent, then ztunnel, then the namespace labels and
    // waypoints, as Istio's Helm guide orders them; destroy removes them in reverse.
    const ambientWaits: pulumi.Resource[] = [];
    if (settings.ambient !== undefined) {
        const ambient = settings.ambient;
        const agentNamespace =
            ambient.agentNamespace === "kube-system"
                ? pulumi.output(ambient.agentNamespace)
                : new MeshNamespace(
                      ambient.agentNamespace,
                      { name: ambient.agentNamespace, privileged: true },
                      adopting,
                  ).name;
        const dataPlane = new AmbientDataPlane(
            "ambient",
            {
                namespace: agentNamespace,
                ambient,
                version,
                revision: controlPlanePlan.gatewayRevision,
                sizing,
            },
            afterIstiod,
        );
        const crds =
            ambient.gatewayApiCrds === "install"
                ? new GatewayApiCrds("gateway-api", { adoptingProvider: adopter })
                : undefined;
        ambientWaits.push(dataPlane.ztunnel);
        if (ambient.waypointNamespaces.length > 0) {
            ambientWaits.push(
                new Waypoints(
                    "waypoints",
                    { namespaces: ambient.waypointNamespaces },
                    { dependsOn: [dataPlane.ztunnel, ...(crds?.crds ?? [])] },
                ),
            );
        }
    }
    const injection = new SidecarInjection(
        "sidecar-injection",
        {
            namespaces: controlPlanePlan.namespaces,
            defaultTagRestartOwed: controlPlanePlan.defaultTagRestartOwed,
            sidecarsOweHbone: controlPlanePlan.sidecarsOweHbone,
            releaseSetting: "istio-mesh:ambientReleasedNamespaces",
        },
        { dependsOn: [tags, ...ambientWaits] },
    );
    // Kiali's login token reads the whole cluster: it exists only where Kiali does.
    const kialiCredentials = enabled("kiali")
        ? new KialiCredentials("kiali-credentials", { namespace: namespace.name })
        : undefined;

    // Telemetry add-ons: they need the namespace, and Grafana and Kiali need Prometheus; none
    // waits for the gateways.
    // Dashboards with a login are routed with `dashboards: ingress`; Prometheus and Jaeger only on request.
    const routed = routedDashboards(settings);
    const hostBase = hostBaseUrl(settings);
    // A routed dashboard's browser URL: absolute with a host name, else its path on whatever address the browser used.
    const externalUrl = (addon: Addon): string | undefined =>
        routed.includes(addon) ? dashboardUrl(addon, hostBase ?? "") : undefined;
    // Absolute URLs only where a host name makes them known before deployment.
    const hostUrl = (addon: Addon): string | undefined => (hostBase === undefined ? undefined : externalUrl(addon));
    const afterNamespace = { dependsOn: [namespace] };
    const prometheus = enabled("prometheus")
        ? new Prometheus(
              "prometheus",
              {
                  namespace: ISTIO_NAMESPACE,
                  size: sizing.sizes.prometheus,
                  retention: settings.prometheusRetention,
                  kubeletTlsVerify: settings.kubeletTlsVerify,
                  storage: settings.prometheusStorage,
                  volumeProvider: adopter,
                  externalUrl: hostUrl("prometheus"),
              },
              afterNamespace,
          )
        : undefined;
    const afterPrometheus = { dependsOn: [namespace, ...(prometheus ? [prometheus] : [])] };
    const grafana = enabled("grafana")
        ? new Grafana(
              "grafana",
              {
                  namespace: ISTIO_NAMESPACE,
                  size: sizing.sizes.grafana,
                  externalUrl: hostUrl("grafana"),
                  ambient: settings.ambient !== undefined,
              },
              afterPrometheus,
          )
        : undefined;
    if (enabled("jaeger")) {
        new Jaeger(
            "jaeger",
            { namespace: ISTIO_NAMESPACE, size: sizing.sizes.jaeger, maxTraces: jaegerMaxTraces(sizing.sizes.jaeger) },
            afterNamespace,
        );
        new MeshTracing(
            "mesh-tracing",
            { rootNamespace: ISTIO_NAMESPACE, provider: "jaeger", samplingPercentage: settings.tracingSampling },
            afterIstiod,
        );
    }
    if (kialiCredentials !== undefined) {
        new Kiali(
            "kiali",
            {
                namespace: ISTIO_NAMESPACE,
                size: sizing.sizes.kiali,
                signingKeyRef: kialiCredentials.signingKeyRef,
                anonymous: settings.kialiAnonymous,
                addons: settings.addons,
                externalUrls: Object.fromEntries(routed.map((addon) => [addon, externalUrl(addon)])),
            },
            // Kiali's pod mounts Grafana's admin Secret to read Grafana's API.
            { dependsOn: [...afterPrometheus.dependsOn, kialiCredentials, ...(grafana ? [grafana.adminSecret] : [])] },
        );
    }
    if (routed.length > 0) {
        new DashboardRoutes(
            "dashboards",
            {
                namespace: gatewayNamespace(ingressNamespace),
                addonNamespace: ISTIO_NAMESPACE,
                rootNamespace: ISTIO_NAMESPACE,
                addons: routed,
                host: settings.dashboardHost,
                tlsSecret: settings.dashboardTlsSecret,
                allowedCidrs: settings.dashboardAllowedCidrs,
                gatewaySelector: { istio: GATEWAY_NAMES.ingress.replace(/^istio-/, "") },
            },
            afterIstiod,
        );
    }

    if (settings.networkPolicies) {
        const egress = settings.gatewayNamespaces.egress;
        new MeshNetworkPolicies("network-policies", {
            meshNamespace: { name: ISTIO_NAMESPACE, output: namespace.name },
            ingressNamespace: { name: ingressNamespace, output: gatewayNamespace(ingressNamespace) },
            ...(settings.egressGateway && { egressNamespace: { name: egress, output: gatewayNamespace(egress) } }),
            addons: settings.addons,
            routed,
        });
    }

    // Real URLs only: the host's, or the address Pulumi waited for; dashboardAccess says the rest.
    const urlBase: pulumi.Output<string | undefined> =
        hostBase !== undefined
            ? pulumi.output(hostBase)
            : ingress.address.apply((address) =>
                  settings.awaitIngressAddress && address !== "" ? `http://${address}` : undefined,
              );

    const istioVersion = version;
    /** Each istiod by name, with its version and the tag pointing to it ("" for one kept for unrestarted proxies). */
    const controlPlanesPlanned = Object.fromEntries(
        controlPlanePlan.istiods.map((istiod) => [
            istiod.name,
            {
                version: istiod.version,
                tag: istiod.tag ?? "",
                // Read back by the next step: turning ambient on owes the sidecars a restart once.
                ...(settings.ambient !== undefined && istiod.revision !== undefined && { ambient: true }),
            },
        ]),
    );
    const istioNamespace = namespace.name;
    const injectionNamespaces = injection.namespaces;
    // What the next step is checked against (readLastDeployment) says what this step applied:
    // these resolve only once its label patches, and everything before them, were applied.
    // After a failed step they never do, so the SDK registers no outputs and the engine keeps
    // the last deployment's, as it does when no stack outputs arrive.
    const applied = <T>(value: T): pulumi.Output<T> => injection.applied.apply(() => value);
    const canaryNamespaces = applied(settings.canaryNamespaces);
    const ambientNamespaces = applied(injection.ambientNamespaces);
    /** Namespaces still labelled ambient, moving back ones included: ambient stays on while any is. */
    const capturedNamespaces = applied(injection.capturedNamespaces);
    const gateways = [
        `${ingressNamespace}/${GATEWAY_NAMES.ingress}`,
        ...(settings.egressGateway ? [`${settings.gatewayNamespaces.egress}/${GATEWAY_NAMES.egress}`] : []),
    ];
    const restartCommands = injection.restartCommands.apply((commands) => [
        ...commands,
        ...gatewayMoveNotes(controlPlanePlan, gateways),
    ]);
    const ingressGateway = {
        service: ingress.serviceName,
        namespace: ingress.namespace,
        ...(settings.awaitIngressAddress && { address: ingress.address }),
    };
    const kialiLoginToken = kialiCredentials?.loginToken;
    const grafanaAdminPassword = grafana?.adminPassword;
    const dashboardUrls = dashboardUrlsKnown(settings)
        ? urlBase.apply((base) =>
              base === undefined ? {} : Object.fromEntries(routed.map((addon) => [addon, dashboardUrl(addon, base)])),
          )
        : {};
    const dashboardAccess = describeDashboardAccess(
        settings,
        routed.map((addon) => ADDON_SERVICES[addon].path),
        { namespace: ingressNamespace, name: GATEWAY_NAMES.ingress },
    );
    const portForwardCommands = Object.fromEntries(
        settings.addons.map((addon) => [addon, portForwardCommand(addon, ISTIO_NAMESPACE)]),
    );
    const controlPlanes = applied(controlPlanesPlanned);
    return {
        istioVersion,
        controlPlanes,
        istioNamespace,
        injectionNamespaces,
        canaryNamespaces,
        ambientNamespaces,
        capturedNamespaces,
        restartCommands,
        ingressGateway,
        kialiLoginToken,
        grafanaAdminPassword,
        dashboardUrls,
        dashboardAccess,
        portForwardCommands,
    };
};

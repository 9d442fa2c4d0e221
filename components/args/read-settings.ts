import { SettingsChecker } from "./checker";
import { ADDON_NEEDS, ADDONS } from "./addons";
import { parseQuantity } from "./quantity";
import { parseOverrides } from "./overrides";
import { parseReplicaOverrides } from "./replica-overrides";
import { TRAFFIC_POLICIES } from "./exposure";
import { crossChecks } from "./cross-checks";
import { MESH_DEFAULTS, numberRanges } from "./defaults";
import { ChartValueOverrides, installedCharts, isIstioChart, readChartValues } from "./chart-values";
import { ambientAgentNamespace, ambientProblems, GATEWAY_API_CRD_SOURCES, PLATFORMS } from "./ambient";
import { CANARY_TAG, checkIstioVersion, controlPlaneRevision, DEFAULT_TAG, revisionProblems } from "./revisions";
import type { MeshKey } from "./arg-paths";
import type { IstioMeshArgs } from "./istio-mesh-args";
import {
    DASHBOARD_EXPOSURES,
    ExistingPrometheus,
    INGRESS_SERVICE_TYPES,
    MeshSettings,
    MTLS_MODES,
    OTLP_PROTOCOLS,
    OtlpTracing,
    ProviderSettings,
    TRACING_QUERY_PROVIDERS,
} from "./settings";
import { show } from "./text";
import {
    checkAddon,
    checkCidr,
    checkGatewayNamespace,
    checkHost,
    checkHttpUrl,
    checkMemory,
    checkOtlpEndpoint,
    checkNamespace,
    checkOptionalVersion,
    checkRetention,
    checkSecretName,
    checkStorage,
} from "./value-checks";
import { readIngressService, readWorkloads } from "./workloads";
import { MembershipSettings, readMembership } from "./membership";

const membershipOf = (membership: MembershipSettings | undefined): { membership?: MembershipSettings } =>
    membership === undefined ? {} : { membership };

/**
 * Every setting of a mesh read from its arguments and checked, each and across settings,
 * into `MeshSettings`. What needs the sizing table (overrides against the computed sizes,
 * the memory budget) and what ran last come on top (components/mesh-settings.ts).
 */

const sorted = (items: readonly string[]): string[] => [...items].sort();

/** The settings of the adopting provider: the connection fields of `cluster`. */
function providerSettings(args: IstioMeshArgs): ProviderSettings {
    const notProvider = ["adoptExisting", "platform", "nodes"];
    return Object.fromEntries(
        Object.entries(args.cluster ?? {}).filter(([key]) => !notProvider.includes(key)),
    ) as ProviderSettings;
}

/**
 * Adoption goes through a provider the component makes from `cluster`'s settings. Without a
 * provider of the consumer's, those are the stack's own (`kubernetes:` config), or none, the
 * ambient kubeconfig the default provider uses too. With one, the component cannot read its
 * connection back: adopting is then asked for explicitly, with the kubeconfig or context that
 * reaches the same cluster, never the ambient one.
 */
function readCluster(args: IstioMeshArgs, check: SettingsChecker, consumerProvider: boolean): MeshSettings["cluster"] {
    const provider = providerSettings(args);
    const adopt = check.read("adoptExisting", !consumerProvider, "boolean");
    if (adopt && consumerProvider && provider.kubeconfig === undefined && provider.context === undefined) {
        check.problem(
            "adoptExisting",
            `true with a provider of the consumer's, whose connection the component cannot read back: give ${check.key("kubeconfig")} (or the context) the same as that provider's, so that what destroy kept is adopted on its cluster, or leave adoptExisting out (an up after a destroy then fails with AlreadyExists on istio-system)`,
        );
        return { adoptExisting: false, provider };
    }
    return { adoptExisting: adopt, provider };
}

/**
 * An empty allow-list would leave the DENY rule with no `notRemoteIpBlocks`: a source with no
 * field, which istiod refuses halfway through `up` (and which would mean "any client").
 */
function readAllowedCidrs(check: SettingsChecker, dashboards: string): readonly string[] {
    const cidrs = check.list("dashboardAllowedCidrs", MESH_DEFAULTS.dashboardAllowedCidrs, checkCidr);
    if (cidrs.length > 0) {
        return cidrs;
    }
    if (dashboards === "ingress") {
        check.problem(
            "dashboardAllowedCidrs",
            `[] admits no range, which the gateway cannot express; to admit nobody, set ${check.key("dashboards")}: none (port-forward only); to admit everybody, write [0.0.0.0/0]`,
        );
    }
    return MESH_DEFAULTS.dashboardAllowedCidrs;
}

/**
 * Where metrics and traces go when not to the bundled add-ons: an existing Prometheus, an
 * OTLP collector. Each contradicts its bundled counterpart: two Prometheus would both scrape
 * the mesh while Grafana and Kiali read one, and istiod sends spans to one backend.
 */
function readTelemetrySources(
    check: SettingsChecker,
    enabled: readonly string[],
): { existingPrometheus?: ExistingPrometheus; otlpTracing?: OtlpTracing } {
    const k = (key: MeshKey): string => check.key(key);
    const d = MESH_DEFAULTS;
    const prometheusUrl = check.read(
        "prometheusUrl",
        "",
        "string",
        checkHttpUrl("the Prometheus", "http://prometheus-operated.monitoring.svc:9090"),
    );
    const scrapesMesh = check.read("prometheusScrapesMesh", d.prometheusScrapesMesh as boolean, "boolean");
    if (prometheusUrl !== "" && enabled.includes("prometheus") && !check.failed("addons")) {
        check.problem(
            "prometheusUrl",
            `${show(prometheusUrl)} names an existing Prometheus, but prometheus is in ${k("addons")}, which installs the bundled one too: both would scrape the mesh while Grafana and Kiali read only this one; remove prometheus from ${k("addons")} to use this one, or remove ${k("prometheusUrl")} to keep the bundled one`,
        );
    }
    const endpoint = check.read("otlpEndpoint", "", "string", checkOtlpEndpoint);
    const protocol = check.oneOf("otlpProtocol", d.otlpProtocol, OTLP_PROTOCOLS);
    const queryUrl = check.read(
        "tracingQueryUrl",
        "",
        "string",
        checkHttpUrl("the trace query API", "http://tempo.observability.svc:3200"),
    );
    const queryProvider = check.oneOf("tracingQueryProvider", d.tracingQueryProvider, TRACING_QUERY_PROVIDERS);
    if (endpoint !== "" && enabled.includes("jaeger") && !check.failed("addons")) {
        check.problem(
            "otlpEndpoint",
            `${show(endpoint)} names an OTLP collector, but jaeger is in ${k("addons")}, and istiod sends spans to one backend; remove jaeger from ${k("addons")} to send them to the collector, or remove ${k("otlpEndpoint")} to keep Jaeger`,
        );
    }
    const [, host, port] = /^(.+):([0-9]+)$/.exec(endpoint) ?? [];
    if (endpoint !== "" && !/\.svc\./.test(`${host}.`)) {
        check.warning(
            "otlpEndpoint",
            `${show(endpoint)} is no Service of the cluster (name.namespace.svc.cluster.local): istiod sends spans there only if a ServiceEntry declares ${host} (docs/telemetry.md, traces to an OpenTelemetry collector)`,
        );
    }
    return {
        ...(prometheusUrl !== "" && { existingPrometheus: { url: prometheusUrl, scrapesMesh } }),
        ...(endpoint !== "" && {
            otlpTracing: {
                host,
                port: Number(port),
                protocol,
                ...(queryUrl !== "" && { query: { url: queryUrl, provider: queryProvider } }),
            },
        }),
    };
}

/** Reads and checks every setting of `args`; each problem and warning goes to `check`. */
/**
 * @param deployedBefore whether a last deployment ran: only then may a gateway stay in
 * istio-system, where a mesh of that age put it
 */
export function readMeshSettings(
    args: IstioMeshArgs,
    check: SettingsChecker,
    consumerProvider = false,
    deployedBefore = false,
): MeshSettings {
    const k = (key: MeshKey): string => check.key(key);
    const ranges = numberRanges(k);
    const d = MESH_DEFAULTS;
    const memoryQuantity = check.read("memory", d.memory as string, "string", checkMemory);
    const addons = check.list("addons", d.addons, checkAddon);
    const enabled = ADDONS.filter((addon) => addons.includes(addon));
    const optional = (key: MeshKey, checker: (value: string) => string | undefined): string =>
        check.read(key, "", "string", checker);
    const telemetry = readTelemetrySources(check, enabled);
    for (const addon of enabled) {
        const need = ADDON_NEEDS[addon];
        // An existing Prometheus stands in for the bundled one; a refused URL was meant as one.
        const standIn =
            need?.needs === "prometheus" &&
            (telemetry.existingPrometheus !== undefined || check.failed("prometheusUrl"));
        if (need && !enabled.includes(need.needs) && !standIn) {
            check.problem(
                "addons",
                need.needs === "prometheus"
                    ? `${show(addon)} needs a Prometheus: ${need.why}; add prometheus to ${k("addons")}, give an existing one in ${k("prometheusUrl")}, or remove ${addon}`
                    : `${show(addon)} needs ${show(need.needs)}: ${need.why}; add ${need.needs} to ${k("addons")} or remove ${addon}`,
            );
        }
    }
    const injectionNamespaces = sorted(check.list("injectionNamespaces", d.injectionNamespaces, checkNamespace));
    const istioVersion = check.read("istioVersion", d.istioVersion as string, "string", checkIstioVersion);
    const canaryVersion = optional("canaryVersion", checkOptionalVersion);
    const previousVersion = optional("previousVersion", checkOptionalVersion);
    const unrevisionedVersion = optional("unrevisionedVersion", checkOptionalVersion);
    const canaryNamespaces = sorted(check.list("canaryNamespaces", d.canaryNamespaces, checkNamespace));
    const revisionKeys: MeshKey[] = [
        "istioVersion",
        "canaryVersion",
        "previousVersion",
        "unrevisionedVersion",
        "canaryNamespaces",
        "injectionNamespaces",
    ];
    // A version already refused would make these cross checks mislead.
    if (!check.failed(...revisionKeys)) {
        const keys = {
            istioVersion,
            canaryVersion,
            previousVersion,
            unrevisionedVersion,
            canaryNamespaces,
            injectionNamespaces,
        };
        revisionProblems(keys, k).forEach(([key, message]) => check.problem(key as MeshKey, message));
    }
    const ambient = check.read("ambient", d.ambient as boolean, "boolean");
    const ambientKeys = {
        ambient,
        injectionNamespaces,
        ambientNamespaces: sorted(check.list("ambientNamespaces", d.ambientNamespaces, checkNamespace)),
        waypointNamespaces: sorted(check.list("waypointNamespaces", d.waypointNamespaces, checkNamespace)),
        ambientReleasedNamespaces: sorted(check.list("ambientReleasedNamespaces", [], checkNamespace)),
    };
    const platform = check.oneOf("platform", d.platform, PLATFORMS);
    const gatewayApiCrds = check.oneOf("gatewayApiCrds", d.gatewayApiCrds, GATEWAY_API_CRD_SOURCES);
    ambientProblems(ambientKeys, k).forEach(([key, message]) => check.problem(key, message));
    const dashboards = check.oneOf("dashboards", d.dashboards, DASHBOARD_EXPOSURES);
    const dashboardHost = optional("dashboardHost", checkHost);
    const dashboardTlsSecret = optional("dashboardTlsSecret", checkSecretName);
    const prometheusStorage = optional("prometheusStorage", checkStorage);
    const withoutLogin = check.list("dashboardsWithoutLogin", d.dashboardsWithoutLogin, checkAddon);
    const read: Omit<MeshSettings, "chartValues"> = {
        memory: { quantity: memoryQuantity, bytes: parseQuantity(memoryQuantity) as number },
        addons: enabled,
        injectionNamespaces,
        istioVersion,
        revisions: {
            stable: controlPlaneRevision(istioVersion, DEFAULT_TAG),
            ...(canaryVersion !== "" && { canary: controlPlaneRevision(canaryVersion, CANARY_TAG) }),
            ...(previousVersion !== "" && { previous: controlPlaneRevision(previousVersion) }),
            ...(unrevisionedVersion !== "" && { unrevisioned: { version: unrevisionedVersion } }),
        },
        canaryNamespaces,
        ...(ambient && {
            ambient: {
                platform,
                agentNamespace: ambientAgentNamespace(platform),
                gatewayApiCrds,
                namespaces: ambientKeys.ambientNamespaces,
                waypointNamespaces: ambientKeys.waypointNamespaces,
                releasedNamespaces: ambientKeys.ambientReleasedNamespaces,
            },
        }),
        ...(!ambient &&
            platform === "openshift" && {
                sidecarCni: { platform, agentNamespace: ambientAgentNamespace(platform) },
            }),
        nodes: check.number("nodes", d.nodes, ranges.nodes),
        egressGateway: check.read("egressGateway", d.egressGateway as boolean, "boolean"),
        networkPolicies: check.read("networkPolicies", d.networkPolicies as boolean, "boolean"),
        gatewayNamespaces: {
            ingress: check.read("ingressNamespace", d.ingressNamespace as string, "string", checkGatewayNamespace),
            egress: check.read("egressNamespace", d.egressNamespace as string, "string", checkGatewayNamespace),
        },
        ingressGateway: check.read("ingressGateway", d.ingressGateway as boolean, "boolean"),
        ingressServiceType: check.oneOf("ingressServiceType", d.ingressServiceType, INGRESS_SERVICE_TYPES),
        ingressService: readIngressService(check),
        awaitIngressAddress: check.read("awaitIngressAddress", d.awaitIngressAddress as boolean, "boolean"),
        ingressExternalTrafficPolicy: check.oneOf(
            "ingressExternalTrafficPolicy",
            d.ingressExternalTrafficPolicy,
            TRAFFIC_POLICIES,
        ),
        mtlsMode: check.oneOf("mtlsMode", d.mtlsMode, MTLS_MODES),
        dashboards,
        ...(dashboardHost !== "" && { dashboardHost }),
        dashboardAllowedCidrs: sorted(readAllowedCidrs(check, dashboards)),
        dashboardsWithoutLogin: ADDONS.filter((addon) => withoutLogin.includes(addon)),
        ...(dashboardTlsSecret !== "" && { dashboardTlsSecret }),
        dashboardPlainHttp: check.read("dashboardPlainHttp", d.dashboardPlainHttp as boolean, "boolean"),
        tracingSampling: check.number("tracingSampling", d.tracingSampling, ranges.tracingSampling),
        ...(telemetry.existingPrometheus !== undefined && { existingPrometheus: telemetry.existingPrometheus }),
        ...(telemetry.otlpTracing !== undefined && { otlpTracing: telemetry.otlpTracing }),
        kialiAnonymous: check.read("kialiAnonymous", d.kialiAnonymous as boolean, "boolean"),
        prometheusRetention: check.read(
            "prometheusRetention",
            d.prometheusRetention as string,
            "string",
            checkRetention,
        ),
        kubeletTlsVerify: check.read("kubeletTlsVerify", d.kubeletTlsVerify as boolean, "boolean"),
        ...(prometheusStorage !== "" && { prometheusStorage }),
        memoryBudgetPercent: check.number("memoryBudgetPercent", d.memoryBudgetPercent, ranges.memoryBudgetPercent),
        resources: parseOverrides(check.read<Record<string, unknown>>("resources", {}, "object"), (message) =>
            check.problem("resources", message),
        ),
        replicas: parseReplicaOverrides(check.read<Record<string, unknown>>("replicas", {}, "object"), (message) =>
            check.problem("replicas", message),
        ),
        workloads: readWorkloads(check, { availability: d.availability }),
        ...membershipOf(readMembership(check)),
        sampleApp: check.read("sampleApp", d.sampleApp as boolean, "boolean"),
        cluster: readCluster(args, check, consumerProvider),
        warnings: [],
    };
    const settings: MeshSettings = { ...read, chartValues: readChartValueSettings(check, read, revisionKeys) };
    crossChecks(settings, check, ambientKeys, deployedBefore);
    return settings;
}

/**
 * `chartValues`, each override checked against the keys of the charts the mesh installs, at
 * the versions it installs them. A chart's versions rest on the version settings: when one
 * was refused, Istio's charts are not checked (their message would name a version nobody
 * wrote), and an override of a chart that is not installed is idle-settings.ts's.
 */
function readChartValueSettings(
    check: SettingsChecker,
    settings: Omit<MeshSettings, "chartValues">,
    versionKeys: readonly MeshKey[],
): ChartValueOverrides {
    const raw = check.read<Record<string, unknown>>("chartValues", {}, "object");
    const installed = installedCharts(settings);
    const checked = check.failed(...versionKeys)
        ? Object.fromEntries(Object.entries(installed).filter(([chart]) => !isIstioChart(chart)))
        : installed;
    const { overrides, problems } = readChartValues(raw, checked, (key) => check.key(key));
    problems.forEach(([at, message]) => check.problem("chartValues", message, at));
    return overrides;
}

import { ConfigReader, show } from "./config-reader";
import { Addon, ADDON_NEEDS, ADDONS } from "./addons";
import { parseQuantity } from "./quantity";
import { Overrides, parseOverrides } from "./overrides";
import { parseReplicaOverrides, ReplicaOverrides } from "./replica-overrides";
import { exposureProblems, TRAFFIC_POLICIES, TrafficPolicy } from "./exposure";
import { idleKeyProblems } from "./idle-keys";
import { CONFIG_DEFAULTS, ConfigKey } from "./keys";
import { KUBERNETES_SETTINGS, ProviderSettings, providerSettings } from "./kubernetes-settings";
import { ambientAgentNamespace, ambientProblems, AmbientSettings, GATEWAY_API_CRD_SOURCES, PLATFORMS } from "./ambient";
import { CANARY_TAG, controlPlaneRevision, DEFAULT_TAG, MeshRevisions, revisionProblems } from "./revisions";

/**
 * The one place stack configuration keys are read and checked, each and across keys, as
 * keys.ts declares them. The program loads them through components/settings.ts, which adds
 * the sizing checks; the rest of the program only sees `MeshSettings`.
 */

export const CONFIG_NAMESPACE = "istio-mesh";

export { ADDONS } from "./addons";
export type { Addon } from "./addons";
export { CONFIG_DEFAULTS, CONFIG_KEYS } from "./keys";

export const INGRESS_SERVICE_TYPES = ["LoadBalancer", "NodePort", "ClusterIP"] as const;
export type IngressServiceType = (typeof INGRESS_SERVICE_TYPES)[number];

export const MTLS_MODES = ["STRICT", "PERMISSIVE"] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];

export const DASHBOARD_EXPOSURES = ["ingress", "none"] as const;
export type DashboardExposure = (typeof DASHBOARD_EXPOSURES)[number];

/** The validated configuration of one environment. */
export interface MeshSettings {
    /** Memory of the cluster this environment is sized for, as written and in bytes. */
    readonly memory: { readonly quantity: string; readonly bytes: number };
    /** Enabled add-ons, in the canonical order of `ADDONS`. */
    readonly addons: readonly Addon[];
    /** Namespaces labelled `istio-injection=enabled`, sorted. */
    readonly injectionNamespaces: readonly string[];
    /** The stable Istio release: the `default` tag, the gateways. */
    readonly istioVersion: string;
    /** Every istiod, as a revision named from its version, and the tags pointing to them. */
    readonly revisions: MeshRevisions;
    /** Injection namespaces labelled `istio.io/rev=canary` instead of `istio-injection=enabled`, sorted. */
    readonly canaryNamespaces: readonly string[];
    /** The ambient data plane, when `ambient` is on. */
    readonly ambient?: AmbientSettings;
    /** Nodes of the cluster: each runs one pod of every DaemonSet. */
    readonly nodes: number;
    readonly egressGateway: boolean;
    /** Whether the mesh's namespaces get NetworkPolicies. */
    readonly networkPolicies: boolean;
    /** Namespaces of the gateways: their own, or `istio-system` for a stack deployed so. */
    readonly gatewayNamespaces: { readonly ingress: string; readonly egress: string };
    readonly ingressServiceType: IngressServiceType;
    /** Whether `pulumi up` waits for the ingress LoadBalancer's address (10 minutes at most). */
    readonly awaitIngressAddress: boolean;
    /** `Local` keeps client addresses at the gateway, which the dashboard allow-list needs. */
    readonly ingressExternalTrafficPolicy: TrafficPolicy;
    readonly mtlsMode: MtlsMode;
    /** `ingress`: dashboards routed through the ingress gateway; `none`: port-forward only. */
    readonly dashboards: DashboardExposure;
    /** Host name the dashboard routes answer to, or undefined for any host. */
    readonly dashboardHost?: string;
    /** Client ranges admitted to the dashboard paths, sorted. */
    readonly dashboardAllowedCidrs: readonly string[];
    /** Dashboards without a login of their own (Prometheus, Jaeger) routed anyway, in canonical order. */
    readonly dashboardsWithoutLogin: readonly Addon[];
    /** `kubernetes.io/tls` Secret in the ingress gateway's namespace that serves the dashboard host over HTTPS. */
    readonly dashboardTlsSecret?: string;
    /** Whether the stack accepts a dashboard host over plain HTTP. */
    readonly dashboardPlainHttp: boolean;
    /** Percentage of requests traced, 0 to 100. */
    readonly tracingSampling: number;
    readonly kialiAnonymous: boolean;
    readonly prometheusRetention: string;
    /** Whether Prometheus checks the kubelets' certificates against the cluster's CA. */
    readonly kubeletTlsVerify: boolean;
    /** Prometheus volume size, or undefined for no persistent volume. */
    readonly prometheusStorage?: string;
    /** Share of `memory` this environment's components may request, in percent. */
    readonly memoryBudgetPercent: number;
    /** Per-component requests and limits that win over the sizing table. */
    readonly resources: Overrides;
    /** Replica counts or autoscaling ranges for istiod and the gateways that win over the tier's. */
    readonly replicas: ReplicaOverrides;
    /** The stack's `kubernetes:` settings, for the provider this program creates. */
    readonly kubernetes: ProviderSettings;
    /** What deploys as asked but likely not as meant, each with its key: the preview shows them. */
    readonly warnings: readonly string[];
}

/**
 * Config of the providers this program configures: the kubernetes provider's settings (the
 * fields of @pulumi/kubernetes' ProviderArgs, plus its config-only `enableReplaceCRD` and
 * `strictMode`; a test keeps the list in step with the pinned package). The random provider
 * has no settings; other namespaces are not this program's to check.
 */
export const PROVIDER_CONFIG: Readonly<Record<string, readonly string[]>> = {
    kubernetes: KUBERNETES_SETTINGS,
};

/**
 * An empty list would leave the allow-list's DENY rule with no `notRemoteIpBlocks`: a source
 * with no field, which istiod's validation refuses halfway through `up` (and which would
 * mean "any client" if accepted). Neither is what someone writing `[]` wants to find out then.
 */
function readAllowedCidrs(config: ConfigReader, dashboards: DashboardExposure): readonly string[] {
    const cidrs = config.list("dashboardAllowedCidrs");
    if (cidrs.length > 0) {
        return cidrs;
    }
    // With dashboards: none the key has no effect at all, which the idle-key check says.
    if (dashboards === "ingress") {
        config.problem(
            "dashboardAllowedCidrs",
            `[] admits no range, which the gateway cannot express; to admit nobody, set ${config.key("dashboards")}: none (port-forward only); to admit everybody, write [0.0.0.0/0]`,
        );
    }
    return CONFIG_DEFAULTS.dashboardAllowedCidrs;
}

/**
 * Reads every key of raw configuration (full keys, string values, as the CLI hands them
 * over) into settings, recording each problem in `config`; cross-key checks of the keys
 * themselves included. Sizing checks, which need the sizing table, come on top of this
 * (components/settings.ts).
 */
export function readMeshSettings(config: ConfigReader, raw: Readonly<Record<string, string>>): MeshSettings {
    const memoryQuantity = config.string("memory");
    const addons = config.list("addons");
    const enabled = ADDONS.filter((addon) => addons.includes(addon));
    for (const addon of enabled) {
        const need = ADDON_NEEDS[addon];
        if (need && !enabled.includes(need.needs)) {
            config.problem(
                "addons",
                `${show(addon)} needs ${show(need.needs)}: ${need.why}; add ${need.needs} to ${config.key("addons")} or remove ${addon}`,
            );
        }
    }
    const dashboardHost = config.string("dashboardHost");
    const prometheusStorage = config.string("prometheusStorage");
    const dashboardTlsSecret = config.string("dashboardTlsSecret");
    const withoutLogin = config.list("dashboardsWithoutLogin");
    const injectionNamespaces = [...config.list("injectionNamespaces")].sort();
    const istioVersion = config.string("istioVersion");
    const canaryVersion = config.string("canaryVersion");
    const previousVersion = config.string("previousVersion");
    const unrevisionedVersion = config.string("unrevisionedVersion");
    const canaryNamespaces = [...config.list("canaryNamespaces")].sort();
    const revisionKeys: ConfigKey[] = [
        "istioVersion",
        "canaryVersion",
        "previousVersion",
        "unrevisionedVersion",
        "canaryNamespaces",
        "injectionNamespaces",
    ];
    // A version already refused would make these cross-key checks mislead.
    if (!config.failed(...revisionKeys)) {
        const keys = {
            istioVersion,
            canaryVersion,
            previousVersion,
            unrevisionedVersion,
            canaryNamespaces,
            injectionNamespaces,
        };
        revisionProblems(keys, (name) => config.key(name)).forEach(([key, message]) => config.problem(key, message));
    }
    const ambient = config.boolean("ambient");
    const ambientNamespaces = [...config.list("ambientNamespaces")].sort();
    const waypointNamespaces = [...config.list("waypointNamespaces")].sort();
    const ambientReleasedNamespaces = [...config.list("ambientReleasedNamespaces")].sort();
    const platform = config.oneOf("platform", PLATFORMS);
    const gatewayApiCrds = config.oneOf("gatewayApiCrds", GATEWAY_API_CRD_SOURCES);
    const ambientKeys = {
        ambient,
        injectionNamespaces,
        ambientNamespaces,
        waypointNamespaces,
        ambientReleasedNamespaces,
    };
    ambientProblems(ambientKeys, (name) => config.key(name)).forEach(([key, message]) => config.problem(key, message));
    const dashboards = config.oneOf("dashboards", DASHBOARD_EXPOSURES);
    const settings: MeshSettings = {
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
                namespaces: ambientNamespaces,
                waypointNamespaces,
                releasedNamespaces: ambientReleasedNamespaces,
            },
        }),
        nodes: config.number("nodes"),
        egressGateway: config.boolean("egressGateway"),
        networkPolicies: config.boolean("networkPolicies"),
        gatewayNamespaces: { ingress: config.string("ingressNamespace"), egress: config.string("egressNamespace") },
        ingressServiceType: config.oneOf("ingressServiceType", INGRESS_SERVICE_TYPES),
        awaitIngressAddress: config.boolean("awaitIngressAddress"),
        ingressExternalTrafficPolicy: config.oneOf("ingressExternalTrafficPolicy", TRAFFIC_POLICIES),
        mtlsMode: config.oneOf("mtlsMode", MTLS_MODES),
        dashboards,
        ...(dashboardHost !== "" && { dashboardHost }),
        dashboardAllowedCidrs: [...readAllowedCidrs(config, dashboards)].sort(),
        dashboardsWithoutLogin: ADDONS.filter((addon) => withoutLogin.includes(addon)),
        ...(dashboardTlsSecret !== "" && { dashboardTlsSecret }),
        dashboardPlainHttp: config.boolean("dashboardPlainHttp"),
        tracingSampling: config.number("tracingSampling"),
        kialiAnonymous: config.boolean("kialiAnonymous"),
        prometheusRetention: config.string("prometheusRetention"),
        kubeletTlsVerify: config.boolean("kubeletTlsVerify"),
        ...(prometheusStorage !== "" && { prometheusStorage }),
        memoryBudgetPercent: config.number("memoryBudgetPercent"),
        resources: parseOverrides(config.map("resources"), (message) => config.problem("resources", message)),
        replicas: parseReplicaOverrides(config.map("replicas"), (message) => config.problem("replicas", message)),
        kubernetes: providerSettings(raw),
        warnings: [],
    };
    const key = (name: string): string => config.key(name);
    // A gateway shares its namespace with no application of any kind: its role reads every
    // Secret there, anyone who may write routes there binds them to its hosts and
    // certificates, its pods' labels are what the NetworkPolicies admit, and a namespace-wide
    // deny written for the gateway would cut the application's HBONE and probes.
    const applications: [ConfigKey, readonly string[]][] = [
        ["injectionNamespaces", injectionNamespaces],
        ["ambientNamespaces", ambientNamespaces],
    ];
    const gateways: [ConfigKey, string, boolean][] = [
        ["ingressNamespace", settings.gatewayNamespaces.ingress, true],
        ["egressNamespace", settings.gatewayNamespaces.egress, settings.egressGateway],
    ];
    for (const [name, namespace, deployed] of gateways) {
        const listedIn = applications.filter(([, namespaces]) => namespaces.includes(namespace)).map(([list]) => list);
        if (deployed && listedIn.length > 0) {
            config.crossKeyProblem(
                name,
                `${show(namespace)} is in ${listedIn.map(key).join(" and ")}, an application's namespace; the gateway's role reads every Secret of its namespace, and whoever may write routes or label pods there could take its hosts, its certificates and its network access, so give it one of its own, e.g. istio-${name === "ingressNamespace" ? "ingress" : "egress"}`,
                listedIn,
            );
        }
    }
    for (const [name, message, restsOn] of exposureProblems(settings, key)) {
        config.crossKeyProblem(name, message, restsOn);
    }
    for (const [name, message, restsOn] of idleKeyProblems(settings, (name) => config.changed(name), key)) {
        config.crossKeyProblem(name, message, [restsOn]);
    }
    return settings;
}

import { ConfigReader, show } from "./config-reader";
import { Addon, ADDON_NEEDS, ADDONS } from "./addons";
import { GI, parseQuantity } from "./quantity";
import { Overrides, parseOverrides } from "./overrides";
import { parseReplicaOverrides, ReplicaOverrides } from "./replica-overrides";
import { exposureProblems, TRAFFIC_POLICIES, TrafficPolicy } from "./exposure";
import { KUBERNETES_SETTINGS, ProviderSettings, providerSettings } from "./kubernetes-settings";
import {
    checkIstioVersion,
    CANARY_TAG,
    controlPlaneRevision,
    DEFAULT_TAG,
    MeshRevisions,
    revisionProblems,
} from "./revisions";
import { DEFAULT_ISTIO_VERSION } from "../versions";

/**
 * The one place stack configuration keys are read and checked, each and across keys. The
 * program loads them through components/settings.ts, which adds the sizing checks; the
 * rest of the program only sees `MeshSettings`.
 */

export const CONFIG_NAMESPACE = "istio-mesh";

export { ADDONS } from "./addons";
export type { Addon } from "./addons";

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
    readonly egressGateway: boolean;
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
    /** `kubernetes.io/tls` Secret in istio-system that serves the dashboard host over HTTPS. */
    readonly dashboardTlsSecret?: string;
    /** Whether the stack accepts a dashboard host over plain HTTP. */
    readonly dashboardPlainHttp: boolean;
    /** Percentage of requests traced, 0 to 100. */
    readonly tracingSampling: number;
    readonly kialiAnonymous: boolean;
    readonly prometheusRetention: string;
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
}

/** Defaults, mirrored by the `config:` declarations in Pulumi.yaml (a test keeps them equal). */
export const CONFIG_DEFAULTS = {
    memory: "4Gi",
    addons: [...ADDONS] as readonly string[],
    injectionNamespaces: ["default"] as readonly string[],
    istioVersion: DEFAULT_ISTIO_VERSION,
    canaryVersion: "",
    canaryNamespaces: [] as readonly string[],
    previousVersion: "",
    unrevisionedVersion: "",
    egressGateway: true,
    ingressServiceType: "LoadBalancer",
    awaitIngressAddress: false,
    ingressExternalTrafficPolicy: "Local",
    mtlsMode: "STRICT",
    dashboards: "none",
    dashboardHost: "",
    dashboardAllowedCidrs: ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as readonly string[],
    dashboardsWithoutLogin: [] as readonly string[],
    dashboardTlsSecret: "",
    dashboardPlainHttp: false,
    tracingSampling: 1,
    kialiAnonymous: false,
    prometheusRetention: "24h",
    prometheusStorage: "",
    memoryBudgetPercent: 50,
    resources: {} as Readonly<Record<string, unknown>>,
    replicas: {} as Readonly<Record<string, unknown>>,
} as const;

/**
 * Config besides ours that something in this program reads: the kubernetes provider's
 * settings (the fields of @pulumi/kubernetes' ProviderArgs, plus its config-only
 * `enableReplaceCRD` and `strictMode`; a test keeps the list in step with the pinned
 * package), and the engine's `pulumi:` options. The random provider has no settings.
 */
export const OTHER_CONFIG: Readonly<Record<string, readonly string[] | "any">> = {
    kubernetes: KUBERNETES_SETTINGS,
    pulumi: "any",
};

/** The smallest cluster Istio with its gateways can start on, and a sanity ceiling. */
export const MEMORY_RANGE = { min: 1 * GI, max: 1024 * GI } as const;

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SYSTEM_NAMESPACES = ["istio-system", "kube-system", "kube-public", "kube-node-lease"];

function checkMemory(value: string): string | undefined {
    const bytes = parseQuantity(value);
    if (bytes === undefined) {
        return `${show(value)} is not a Kubernetes quantity; use a number with a unit, e.g. 4Gi, 4096Mi or 4G`;
    }
    if (bytes < MEMORY_RANGE.min || bytes > MEMORY_RANGE.max) {
        return `${show(value)} is out of range; use a quantity from 1Gi to 1Ti`;
    }
    return undefined;
}

/** An optional version key: unset ("") or a supported release. */
function checkOptionalVersion(value: string): string | undefined {
    return value === "" ? undefined : checkIstioVersion(value);
}

function checkNamespace(value: string): string | undefined {
    if (value.length > 63 || !RFC1123_LABEL.test(value)) {
        return "is not a valid namespace name; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit (RFC 1123)";
    }
    if (SYSTEM_NAMESPACES.includes(value)) {
        return "is a system namespace; sidecar injection is for application namespaces only";
    }
    return undefined;
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PROMETHEUS_DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

function checkHost(value: string): string | undefined {
    return value === "" || DNS_NAME.test(value)
        ? undefined
        : `${show(value)} is not a DNS name; use lower-case labels separated by dots, e.g. mesh.example.com, or "" for any host`;
}

function checkSecretName(value: string): string | undefined {
    return value === "" || (value.length <= 253 && DNS_NAME.test(value))
        ? undefined
        : `${show(value)} is not a Secret name; use lower-case letters, digits, '-' and '.', e.g. mesh-tls`;
}

function checkCidr(value: string): string | undefined {
    const match = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\/([0-9]{1,2})$/.exec(value);
    const valid = match !== null && match.slice(1, 5).every((octet) => Number(octet) <= 255) && Number(match[5]) <= 32;
    return valid ? undefined : "is not an IPv4 CIDR; use address/prefix, e.g. 192.168.0.0/16";
}

function checkRetention(value: string): string | undefined {
    return PROMETHEUS_DURATION.test(value)
        ? undefined
        : `${show(value)} is not a Prometheus duration; use e.g. 6h, 24h or 15d`;
}

function checkStorage(value: string): string | undefined {
    if (value === "") {
        return undefined;
    }
    const bytes = parseQuantity(value);
    return bytes !== undefined && bytes >= GI / 4
        ? undefined
        : `${show(value)} is not a volume size; use a quantity of at least 256Mi, e.g. 8Gi, or "" for no volume`;
}

function checkAddon(value: string): string | undefined {
    return (ADDONS as readonly string[]).includes(value)
        ? undefined
        : `is not an add-on; use any of ${ADDONS.join(", ")}`;
}

/**
 * An empty list would leave the allow-list's DENY rule with no `notRemoteIpBlocks`: a source
 * with no field, which istiod's validation refuses halfway through `up` (and which would
 * mean "any client" if accepted). Neither is what someone writing `[]` wants to find out then.
 */
function readAllowedCidrs(config: ConfigReader): readonly string[] {
    const cidrs = config.stringList("dashboardAllowedCidrs", CONFIG_DEFAULTS.dashboardAllowedCidrs, checkCidr);
    if (cidrs.length > 0) {
        return cidrs;
    }
    config.problem(
        "dashboardAllowedCidrs",
        `[] admits no range, which the gateway cannot express; to admit nobody, set ${config.key("dashboards")}: none (port-forward only); to admit everybody, write [0.0.0.0/0]`,
    );
    return CONFIG_DEFAULTS.dashboardAllowedCidrs;
}

/**
 * Reads every key of raw configuration (full keys, string values, as the CLI hands them
 * over) into settings, recording each problem in `config`; cross-key checks of the keys
 * themselves included. Sizing checks, which need the sizing table, come on top of this
 * (components/settings.ts).
 */
export function readMeshSettings(config: ConfigReader, raw: Readonly<Record<string, string>>): MeshSettings {
    const memoryQuantity = config.string("memory", CONFIG_DEFAULTS.memory, checkMemory);
    const addons = config.stringList("addons", CONFIG_DEFAULTS.addons, checkAddon);
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
    const dashboardHost = config.string("dashboardHost", CONFIG_DEFAULTS.dashboardHost, checkHost);
    const prometheusStorage = config.string("prometheusStorage", CONFIG_DEFAULTS.prometheusStorage, checkStorage);
    const dashboardTlsSecret = config.string("dashboardTlsSecret", CONFIG_DEFAULTS.dashboardTlsSecret, checkSecretName);
    const withoutLogin = config.stringList(
        "dashboardsWithoutLogin",
        CONFIG_DEFAULTS.dashboardsWithoutLogin,
        checkAddon,
    );
    const injectionNamespaces = [
        ...config.stringList("injectionNamespaces", CONFIG_DEFAULTS.injectionNamespaces, checkNamespace),
    ].sort();
    const istioVersion = config.string("istioVersion", CONFIG_DEFAULTS.istioVersion, checkIstioVersion);
    const canaryVersion = config.string("canaryVersion", CONFIG_DEFAULTS.canaryVersion, checkOptionalVersion);
    const previousVersion = config.string("previousVersion", CONFIG_DEFAULTS.previousVersion, checkOptionalVersion);
    const unrevisionedVersion = config.string(
        "unrevisionedVersion",
        CONFIG_DEFAULTS.unrevisionedVersion,
        checkOptionalVersion,
    );
    const canaryNamespaces = [
        ...config.stringList("canaryNamespaces", CONFIG_DEFAULTS.canaryNamespaces, checkNamespace),
    ].sort();
    const revisionKeys = [
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
    const settings: MeshSettings = {
        memory: { quantity: memoryQuantity, bytes: parseQuantity(memoryQuantity) as number },
        addons: enabled,
        injectionNamespaces,
        istioVersion,
        revisions: {
            stable: controlPlaneRevision(istioVersion, DEFAULT_TAG),
            ...(canaryVersion !== "" && { canary: controlPlaneRevision(canaryVersion, CANARY_TAG) }),
            ...(previousVersion !== "" && { previous: controlPlaneRevision(previousVersion) }),
            ...(unrevisionedVersion !== "" && { unrevisioned: { version: unrevisionedVersion, revision: "" } }),
        },
        canaryNamespaces,
        egressGateway: config.boolean("egressGateway", CONFIG_DEFAULTS.egressGateway),
        ingressServiceType: config.oneOf(
            "ingressServiceType",
            INGRESS_SERVICE_TYPES,
            CONFIG_DEFAULTS.ingressServiceType,
        ),
        awaitIngressAddress: config.boolean("awaitIngressAddress", CONFIG_DEFAULTS.awaitIngressAddress),
        ingressExternalTrafficPolicy: config.oneOf(
            "ingressExternalTrafficPolicy",
            TRAFFIC_POLICIES,
            CONFIG_DEFAULTS.ingressExternalTrafficPolicy,
        ),
        mtlsMode: config.oneOf("mtlsMode", MTLS_MODES, CONFIG_DEFAULTS.mtlsMode),
        dashboards: config.oneOf("dashboards", DASHBOARD_EXPOSURES, CONFIG_DEFAULTS.dashboards),
        ...(dashboardHost !== "" && { dashboardHost }),
        dashboardAllowedCidrs: [...readAllowedCidrs(config)].sort(),
        dashboardsWithoutLogin: ADDONS.filter((addon) => withoutLogin.includes(addon)),
        ...(dashboardTlsSecret !== "" && { dashboardTlsSecret }),
        dashboardPlainHttp: config.boolean("dashboardPlainHttp", CONFIG_DEFAULTS.dashboardPlainHttp),
        tracingSampling: config.number(
            "tracingSampling",
            CONFIG_DEFAULTS.tracingSampling,
            0,
            100,
            " (percent of requests)",
        ),
        kialiAnonymous: config.boolean("kialiAnonymous", CONFIG_DEFAULTS.kialiAnonymous),
        prometheusRetention: config.string("prometheusRetention", CONFIG_DEFAULTS.prometheusRetention, checkRetention),
        ...(prometheusStorage !== "" && { prometheusStorage }),
        memoryBudgetPercent: config.number(
            "memoryBudgetPercent",
            CONFIG_DEFAULTS.memoryBudgetPercent,
            10,
            90,
            " (percent of istio-mesh:memory)",
        ),
        resources: parseOverrides(config.objectMap("resources"), (message) => config.problem("resources", message)),
        replicas: parseReplicaOverrides(config.objectMap("replicas"), (message) => config.problem("replicas", message)),
        kubernetes: providerSettings(raw),
    };
    for (const [key, message] of exposureProblems(settings, (name) => config.key(name))) {
        config.problem(key, message);
    }
    return settings;
}

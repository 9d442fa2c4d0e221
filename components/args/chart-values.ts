import type { MeshKey } from "./arg-paths";
import type { Addon } from "./addons";
import { CHART_KEYS, ChartKeys, chartReads, descopedPath, readPath, suggestPath } from "./known-keys";
import { allRevisions, compareVersions, MeshRevisions, newestVersion } from "./revisions";
import { closest, show } from "./text";
import { ADDON_CHARTS, istioMinor } from "../versions";

/**
 * `chartValues` (`istio-mesh:chartValues`): the escape hatch for a chart value the typed
 * arguments do not cover. One map of Helm values per chart the mesh installs, merged last
 * over the values the mesh computes (values/chart-values.ts), and checked here first, key
 * by key, against the keys the pinned chart reads (chart-keys.json), so that a typo is
 * refused with the key it probably meant instead of changing nothing:
 *
 *     istio-mesh:chartValues:
 *       grafana:
 *         grafana.ini: { server: { enable_gzip: true } }
 *       istiod:
 *         pilot: { env: { PILOT_ENABLE_STATUS: "true" } }
 *
 * A value the mesh sets from a typed argument, or keeps for a promise it makes (the memory
 * budget, Kiali's view-only anonymous mode, the dashboards' client addresses), is refused
 * too, naming the argument to use: an override may not undo what a check stands for.
 */

/** The charts an override may name, in the order the mesh installs them. */
export const CHART_VALUE_CHARTS = [
    "base",
    "istiod",
    "ingressGateway",
    "egressGateway",
    "eastWestGateway",
    "cni",
    "ztunnel",
    "prometheus",
    "grafana",
    "jaeger",
    "kiali",
] as const;
export type ChartValuesChart = (typeof CHART_VALUE_CHARTS)[number];

/** Helm values, as a map: what an override of one chart is. */
export type ChartValues = Readonly<Record<string, unknown>>;

/** Each chart's override, checked. */
export type ChartValueOverrides = Readonly<Partial<Record<ChartValuesChart, ChartValues>>>;

/** The Helm chart behind each name. */
const HELM_CHART: Readonly<Record<ChartValuesChart, string>> = {
    base: "base",
    istiod: "istiod",
    ingressGateway: "gateway",
    egressGateway: "gateway",
    eastWestGateway: "gateway",
    cni: "cni",
    ztunnel: "ztunnel",
    prometheus: ADDON_CHARTS.prometheus.chart,
    grafana: ADDON_CHARTS.grafana.chart,
    jaeger: ADDON_CHARTS.jaeger.chart,
    kiali: ADDON_CHARTS.kiali.chart,
};

/** Whether a name is one of Istio's charts, whose versions follow the mesh's Istio releases. */
export function isIstioChart(name: string): boolean {
    return ["base", "istiod", "gateway", "cni", "ztunnel"].includes(HELM_CHART[name as ChartValuesChart]);
}

/** What decides which charts a mesh installs, and at which versions. */
export interface InstalledChartSettings {
    readonly istioVersion: string;
    readonly revisions: MeshRevisions;
    readonly addons: readonly Addon[];
    readonly egressGateway: boolean;
    readonly ambient?: object;
    readonly membership?: { readonly eastWestGateway: boolean };
}

/**
 * The charts this mesh installs, each as the versions of it that run (`<chart> <version>`, as
 * chart-keys.json names them; an Istio chart by its minor): istiod at every revision's, base
 * at the newest revision's (its CRDs serve them all), the gateways and ambient's agents at
 * the stable release's. A chart not installed is absent.
 */
export function installedCharts(settings: InstalledChartSettings): Partial<Record<ChartValuesChart, string[]>> {
    const istio = (chart: string, versions: readonly string[]): string[] => [
        ...new Set(versions.map((version) => `${chart} ${istioMinor(version)}`)),
    ];
    const addon = (name: Addon): string[] => {
        const pin = ADDON_CHARTS[name];
        return settings.addons.includes(name) ? [`${pin.chart} ${pin.version}`] : [];
    };
    const stable = [settings.istioVersion];
    const installed: Record<ChartValuesChart, string[]> = {
        base: istio("base", [newestVersion(settings.revisions)]),
        istiod: istio(
            "istiod",
            allRevisions(settings.revisions)
                .map((revision) => revision.version)
                .sort(compareVersions),
        ),
        ingressGateway: istio("gateway", stable),
        egressGateway: settings.egressGateway ? istio("gateway", stable) : [],
        // Ambient's east-west gateway is a Gateway istiod runs, not the chart.
        eastWestGateway: eastWestChart(settings) ? istio("gateway", stable) : [],
        cni: settings.ambient !== undefined ? istio("cni", stable) : [],
        ztunnel: settings.ambient !== undefined ? istio("ztunnel", stable) : [],
        prometheus: addon("prometheus"),
        grafana: addon("grafana"),
        jaeger: addon("jaeger"),
        kiali: addon("kiali"),
    };
    return Object.fromEntries(Object.entries(installed).filter(([, charts]) => charts.length > 0));
}

/** Whether the mesh installs the `gateway` chart as its east-west gateway: across networks, with sidecars. */
export function eastWestChart(settings: Pick<InstalledChartSettings, "ambient" | "membership">): boolean {
    return settings.membership?.eastWestGateway === true && settings.ambient === undefined;
}

/** A value the mesh keeps: the setting that decides it, or why no override may. */
interface Held {
    readonly path: string;
    /** The path's keys, when one of them holds a dot (an annotation's name). @default path split at dots */
    readonly keys?: readonly string[];
    /** The setting to use instead. */
    readonly by?: MeshKey;
    /** What the mesh keeps it for. */
    readonly why: string;
}

const BUDGET = "the memory budget counts it";
const sized = (path: string): Held => ({ path, by: "resources", why: BUDGET });
const scaled = (path: string): Held => ({ path, by: "replicas", why: BUDGET });
const REVISION: Held = {
    path: "revision",
    by: "istioVersion",
    why: "every object of a revision is named from its version, which the upgrade guards follow",
};
const AMBIENT: readonly Held[] = [
    {
        path: "profile",
        by: "ambient",
        why: "the mesh chooses it: ambient's with the CNI agent and ztunnel, none otherwise, since a profile changes defaults its checks rest on",
    },
    { path: "platform", by: "platform", why: "the CNI agent's host paths follow it" },
];
/** Why the gateways' client addresses are the mesh's: the dashboard allow-list matches on them. */
const CLIENT_ADDRESS =
    "the dashboard allow-list trusts only the address the gateway sees, never a header a client sends";
const PROXY_CONFIG: Held = {
    path: "podAnnotations.proxy.istio.io/config",
    keys: ["podAnnotations", "proxy.istio.io/config"],
    why: `its gatewayTopology would make the gateway trust X-Forwarded-For; ${CLIENT_ADDRESS}`,
};
const gatewayHeld = (role: "ingress" | "egress"): readonly Held[] => [
    REVISION,
    PROXY_CONFIG,
    sized("resources"),
    scaled("replicaCount"),
    scaled("autoscaling"),
    scaled("podDisruptionBudget"),
    ...(role === "ingress"
        ? [
              { path: "service.type", by: "ingressServiceType", why: "the exposure checks read it" } as const,
              {
                  path: "service.externalTrafficPolicy",
                  by: "ingressExternalTrafficPolicy",
                  why: "the dashboard allow-list needs each client's address",
              } as const,
              {
                  path: "service.ports",
                  why: "the dashboards' Gateway and allow-list name the listeners 80 and 443, which Istio takes from the Service's targetPort",
              } as const,
          ]
        : [{ path: "service.type", why: "the egress gateway is reached from inside the cluster only (ClusterIP)" }]),
];

/**
 * What an override may not change, by chart: values the typed arguments set, whose checks
 * an override would go around, and values the mesh keeps for what it promises.
 */
export const HELD_VALUES: Readonly<Record<ChartValuesChart, readonly Held[]>> = {
    base: [{ path: "defaultRevision", by: "istioVersion", why: "the default tag's istiod validates Istio resources" }],
    istiod: [
        REVISION,
        { path: "revisionTags", by: "canaryVersion", why: "the mesh writes the revision tags itself" },
        {
            path: "compatibilityVersion",
            by: "previousVersion",
            why: "a new minor keeps the old one's behaviour while an istiod of it runs",
        },
        sized("resources"),
        sized("global.proxy.resources"),
        scaled("replicaCount"),
        scaled("autoscaleEnabled"),
        scaled("autoscaleMin"),
        scaled("autoscaleMax"),
        scaled("global.defaultPodDisruptionBudget"),
        ...AMBIENT,
        { path: "trustedZtunnelNamespace", by: "ambient", why: "istiod trusts ztunnel where the mesh runs it" },
        {
            path: "meshConfig.defaultConfig.gatewayTopology",
            why: `it would make the gateways trust X-Forwarded-For; ${CLIENT_ADDRESS}`,
        },
        {
            path: "meshConfig.pathNormalization",
            why: "the dashboard routes' path rules hold only for paths normalized so (no `//prometheus` or `%2F` around them)",
        },
        {
            path: "global.operatorManageWebhooks",
            why: "it leaves out the injection webhooks, which only the istiod kept from before revisions does without",
        },
    ],
    ingressGateway: gatewayHeld("ingress"),
    egressGateway: gatewayHeld("egress"),
    eastWestGateway: [
        REVISION,
        sized("resources"),
        { path: "networkGateway", why: "the gateway serves its cluster's network in the mesh" },
        { path: "labels.istio", why: "the cross-network Gateway selects the gateway's pods by it" },
    ],
    cni: [REVISION, sized("resources"), ...AMBIENT],
    ztunnel: [REVISION, sized("resources"), ...AMBIENT],
    prometheus: [
        sized("server.resources"),
        { path: "server.retention", by: "prometheusRetention", why: "a typed setting" },
        { path: "server.persistentVolume.enabled", by: "prometheusStorage", why: "destroy keeps the mesh's own claim" },
        {
            path: "server.persistentVolume.existingClaim",
            by: "prometheusStorage",
            why: "destroy keeps the mesh's own claim",
        },
        {
            path: "scrapeConfigs.kubernetes-nodes.tls_config",
            by: "kubeletTlsVerify",
            why: "Prometheus sends its token to each kubelet it scrapes",
        },
        {
            path: "scrapeConfigs.kubernetes-nodes-cadvisor.tls_config",
            by: "kubeletTlsVerify",
            why: "Prometheus sends its token to each kubelet it scrapes",
        },
    ],
    grafana: [
        sized("resources"),
        {
            path: "admin",
            why: "Grafana's admin credentials are the generated Secret the mesh outputs (grafanaAdminPassword), which Kiali reads Grafana with",
        },
    ],
    jaeger: [
        sized("jaeger.resources"),
        {
            path: "userconfig.extensions.jaeger_storage.backends.memstore.memory.max_traces",
            by: "resources",
            why: "the traces kept in memory follow Jaeger's memory limit, so the store never runs it out of memory",
        },
    ],
    kiali: [
        sized("deployment.resources"),
        {
            path: "auth.strategy",
            by: "kialiAnonymous",
            why: "an anonymous Kiali is view-only, and its logs tab off, only through that setting",
        },
        { path: "deployment.view_only_mode", by: "kialiAnonymous", why: "an anonymous Kiali must be view-only" },
        {
            path: "kiali_feature_flags.disabled_features",
            by: "kialiAnonymous",
            why: "an anonymous Kiali must not read logs with its own rights",
        },
        {
            path: "login_token.signing_key",
            why: "it is the generated Secret the login tokens are signed with",
        },
        {
            path: "skipResources",
            why: "Kiali's rights are the mesh's own, read-only and port-forward into istio-system only, not the chart's ClusterRole",
        },
    ],
};

const isMap = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The leaf paths of an override, as segments: every value that is not a map, and every
 * empty map (a key set to `{}`).
 */
export function leafPaths(values: unknown, at: readonly string[] = []): { path: string[]; value: unknown }[] {
    if (!isMap(values) || (Object.keys(values).length === 0 && at.length > 0)) {
        return [{ path: [...at], value: values }];
    }
    return Object.keys(values).flatMap((key) => leafPaths(values[key], [...at, key]));
}

/** A value in a message, cut to a line. */
function brief(value: unknown): string {
    const text = show(value) ?? "undefined";
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const dotted = (segments: readonly string[]): string => segments.join(".");

/** Whether an override at `path` (of `value`) changes the held value at `held`. */
function touches(path: readonly string[], value: unknown, held: readonly string[]): boolean {
    const common = Math.min(path.length, held.length);
    if (path.slice(0, common).join("\0") !== held.slice(0, common).join("\0")) {
        return false;
    }
    // A value above the held one replaces the map that holds it, unless it is an empty map.
    return path.length >= held.length || !(isMap(value) && Object.keys(value).length === 0);
}

/** The key a chart's templates copy to the top (istiod's `pilot`), the same at every version. */
function descopedKeys(chart: ChartValuesChart): ChartKeys {
    const id = Object.keys(CHART_KEYS.charts).find((name) => name.startsWith(`${HELM_CHART[chart]} `));
    return { keys: {}, ...(id === undefined ? {} : { descoped: CHART_KEYS.charts[id].descoped }) };
}

/** Why an override's value at `path` is not one the charts in `charts` read, or undefined. */
function unreadProblem(charts: readonly string[], path: readonly string[], value: unknown): string | undefined {
    const unread = charts.filter((id) => !chartReads(CHART_KEYS.charts[id], path));
    if (unread.length === 0) {
        return undefined;
    }
    const keys = CHART_KEYS.charts[unread[0]];
    const own = descopedPath(keys, path);
    const reading = readPath(keys.keys, own);
    const where =
        !reading.read && reading.underValue
            ? `${dotted(path.slice(0, path.length - own.length + reading.readSegments))} is a single value, with no keys under it`
            : "the key is neither in its values.yaml nor read by its templates";
    const suggestion = suggestPath(keys, path);
    const hint = suggestion === undefined ? "" : ` Did you mean ${dotted(suggestion)}?`;
    const read = charts.filter((id) => !unread.includes(id));
    const others = read.length === 0 ? "" : ` (${read.join(", ")} reads it, but the override reaches every revision)`;
    const reads = unread.length === 1 ? "reads" : "read";
    return `${brief(value)} is set where ${unread.join(" and ")} ${reads} nothing, so it would change nothing: ${where}${others}.${hint} Correct the key or remove it`;
}

/** Why an override's value at `path` may not be changed, or undefined. */
function heldProblem(
    chart: ChartValuesChart,
    path: readonly string[],
    value: unknown,
    k: (key: MeshKey) => string,
): string | undefined {
    const own = descopedPath(descopedKeys(chart), path);
    const held = HELD_VALUES[chart].find((h) => touches(own, value, h.keys ?? h.path.split(".")));
    if (held === undefined) {
        return undefined;
    }
    const fix =
        held.by === undefined ? "it cannot be overridden; remove it" : `set ${k(held.by)} instead, and remove this key`;
    return `${brief(value)} would change ${held.path}, which the mesh sets (${held.why}); ${fix}`;
}

/** A problem with an override, at a path under the setting (`grafana.grafana.ini.server.root_ur`). */
export type ChartValuesProblem = [at: string, message: string];

/**
 * The overrides of `raw` that are well formed, and every problem: an unknown chart (with the
 * name it probably meant), an override that is not a map, a key no installed version of its
 * chart reads (with the key it probably meant), and a value the mesh keeps. Charts that are
 * not installed are not checked here: that they would change nothing is idle-settings.ts's.
 */
export function readChartValues(
    raw: Readonly<Record<string, unknown>>,
    installed: Partial<Record<ChartValuesChart, readonly string[]>>,
    k: (key: MeshKey) => string,
): { overrides: ChartValueOverrides; problems: ChartValuesProblem[] } {
    const overrides: Partial<Record<ChartValuesChart, ChartValues>> = {};
    const problems: ChartValuesProblem[] = [];
    for (const name of Object.keys(raw).sort()) {
        const value = raw[name];
        if (!(CHART_VALUE_CHARTS as readonly string[]).includes(name)) {
            const nearest = closest(name, CHART_VALUE_CHARTS);
            const hint = nearest === undefined ? "" : ` Did you mean ${nearest}?`;
            problems.push([name, `is not a chart of the mesh.${hint} Use any of ${CHART_VALUE_CHARTS.join(", ")}`]);
            continue;
        }
        const chart = name as ChartValuesChart;
        if (!isMap(value)) {
            problems.push([
                chart,
                `${brief(value)} is not a map of the chart's values; write it as the chart's values.yaml would, e.g. { podAnnotations: { team: mesh } }`,
            ]);
            continue;
        }
        const charts = installed[chart] ?? [];
        const found = leafPaths(value).flatMap(({ path, value: leaf }): ChartValuesProblem[] => {
            const message =
                charts.length === 0
                    ? undefined
                    : (unreadProblem(charts, path, leaf) ?? heldProblem(chart, path, leaf, k));
            return message === undefined ? [] : [[`${chart}.${dotted(path)}`, message]];
        });
        problems.push(...found);
        if (found.length === 0) {
            overrides[chart] = value;
        }
    }
    return { overrides, problems };
}

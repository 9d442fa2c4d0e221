import type * as pulumi from "@pulumi/pulumi";
import type { SettingsChecker } from "./checker";
import { Availability } from "./workload-args";
import { closest, show } from "./text";
import { checkSecretName } from "./value-checks";

/**
 * What every workload of the mesh is given by the cluster it runs on, read and checked:
 * where its images come from and what it pulls with, where its pods may run, how available
 * istiod and the gateways are, and what the ingress gateway's Service tells the cloud.
 */

/** The Deployments a placement may be given. */
export const SCHEDULED_COMPONENTS = [
    "istiod",
    "ingressGateway",
    "egressGateway",
    "prometheus",
    "grafana",
    "jaeger",
    "kiali",
] as const;
export type ScheduledComponent = (typeof SCHEDULED_COMPONENTS)[number];

export const AVAILABILITIES: readonly Availability[] = Object.values(Availability);

/** The Secret the mesh writes `registryCredentials` into, in each of its namespaces. */
export const REGISTRY_CREDENTIALS_SECRET = "registry-credentials";

/** A toleration as a pod spec takes it. */
export interface Toleration {
    readonly key?: string;
    readonly operator?: "Equal" | "Exists";
    readonly value?: string;
    readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    readonly tolerationSeconds?: number;
}

/** Where one component's pods may run, as its chart takes it. */
export interface Placement {
    readonly nodeSelector?: Readonly<Record<string, string>>;
    readonly tolerations?: readonly Toleration[];
    readonly priorityClassName?: string;
}

export interface WorkloadSettings {
    /** The mirror every image is pulled from, or undefined for each image's own registry. */
    readonly registry?: string;
    /** Secrets every pod pulls with, `registry-credentials` first when the mesh writes it. */
    readonly pullSecrets: readonly string[];
    /** The Docker config the mesh writes as `registry-credentials`, secret. */
    readonly registryCredentials?: pulumi.Input<string>;
    /** Each component's placement, `all`'s merged under its own; none for a component without one. */
    readonly placement: Readonly<Partial<Record<ScheduledComponent, Placement>>>;
    /** The components given a placement of their own, `all` included, as written. */
    readonly explicitPlacement: Readonly<Record<string, Placement>>;
    readonly availability: Availability;
}

/** What the ingress gateway's Service tells the cloud's load balancer. */
export interface IngressServiceSettings {
    readonly annotations: Readonly<Record<string, string>>;
    readonly loadBalancerSourceRanges: readonly string[];
    readonly loadBalancerClass?: string;
}

const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$/;
const QUALIFIED_NAME =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const CIDR_V4 = /^([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])$/;
const CIDR_V6 = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])$/;
const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const PLACEMENT_FIELDS = ["nodeSelector", "tolerations", "priorityClassName"];
const TOLERATION_FIELDS = ["key", "operator", "value", "effect", "tolerationSeconds"];

const isMap = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);

/** An IPv4 or IPv6 CIDR whose IPv4 octets are bytes. */
export function checkAnyCidr(value: string): string | undefined {
    const v4 =
        CIDR_V4.test(value) &&
        value
            .split("/")[0]
            .split(".")
            .every((octet) => Number(octet) <= 255);
    return v4 || CIDR_V6.test(value)
        ? undefined
        : "is not an IPv4 or IPv6 CIDR; use address/prefix, e.g. 203.0.113.0/24 or 2001:db8::/32";
}

function checkRegistry(value: string): string | undefined {
    return value === "" || REGISTRY.test(value)
        ? undefined
        : `${show(value)} is not a registry; write a host with an optional port and path, in lower case, without a scheme or a trailing slash, e.g. mirror.example.com:5000/hub`;
}

/** What is wrong with a toleration, each with its place. */
function tolerationProblems(value: unknown, at: string): string[] {
    if (!isMap(value)) {
        return [`${at}: ${show(value)} is not a toleration; write { key, operator, value, effect }`];
    }
    const unknown = Object.keys(value).filter((field) => !TOLERATION_FIELDS.includes(field));
    const problems = unknown.map(
        (field) =>
            `${at}.${field} is not a toleration field${closest(field, TOLERATION_FIELDS) ? `; did you mean ${closest(field, TOLERATION_FIELDS)}?` : `; use ${TOLERATION_FIELDS.join(", ")}`}`,
    );
    const { operator = "Equal", effect, value: taintValue, tolerationSeconds, key } = value;
    if (operator !== "Equal" && operator !== "Exists") {
        problems.push(`${at}.operator ${show(operator)} is not Equal or Exists`);
    }
    if (operator === "Exists" && taintValue !== undefined && taintValue !== "") {
        problems.push(
            `${at}.value ${show(taintValue)} is set with operator Exists, which matches any value; remove it`,
        );
    }
    if (key !== undefined && typeof key !== "string") {
        problems.push(`${at}.key ${show(key)} is not a string`);
    }
    if (effect !== undefined && effect !== "" && !EFFECTS.includes(String(effect))) {
        problems.push(`${at}.effect ${show(effect)} is not one of ${EFFECTS.join(", ")}`);
    }
    if (tolerationSeconds !== undefined) {
        if (!Number.isInteger(tolerationSeconds) || (tolerationSeconds as number) < 0) {
            problems.push(`${at}.tolerationSeconds ${show(tolerationSeconds)} is not a whole number of seconds`);
        } else if (effect !== "NoExecute") {
            problems.push(`${at}.tolerationSeconds is set, but only a NoExecute taint evicts; set effect: NoExecute`);
        }
    }
    return problems;
}

/** What is wrong with one component's placement, each with its place. */
function placementProblems(value: unknown, at: string): string[] {
    if (!isMap(value)) {
        return [`${at}: ${show(value)} is not a placement; write { nodeSelector, tolerations, priorityClassName }`];
    }
    const problems = Object.keys(value)
        .filter((field) => !PLACEMENT_FIELDS.includes(field))
        .map(
            (field) =>
                `${at}.${field} is not a placement field${closest(field, PLACEMENT_FIELDS) ? `; did you mean ${closest(field, PLACEMENT_FIELDS)}?` : `; use ${PLACEMENT_FIELDS.join(", ")}`}`,
        );
    const { nodeSelector, tolerations, priorityClassName } = value;
    if (nodeSelector !== undefined) {
        if (!isMap(nodeSelector)) {
            problems.push(`${at}.nodeSelector ${show(nodeSelector)} is not a map of node labels`);
        } else {
            for (const [label, labelValue] of Object.entries(nodeSelector)) {
                if (!QUALIFIED_NAME.test(label)) {
                    problems.push(`${at}.nodeSelector: ${show(label)} is not a label key`);
                }
                if (typeof labelValue !== "string" || !LABEL_VALUE.test(labelValue)) {
                    problems.push(`${at}.nodeSelector.${label}: ${show(labelValue)} is not a label value`);
                }
            }
        }
    }
    if (tolerations !== undefined) {
        problems.push(
            ...(Array.isArray(tolerations)
                ? tolerations.flatMap((t, i) => tolerationProblems(t, `${at}.tolerations[${i}]`))
                : [`${at}.tolerations ${show(tolerations)} is not a list of tolerations`]),
        );
    }
    if (priorityClassName !== undefined && checkSecretName(String(priorityClassName)) !== undefined) {
        problems.push(`${at}.priorityClassName ${show(priorityClassName)} is not a PriorityClass name`);
    }
    return problems;
}

/** Each component's placement with `all`'s fields under its own. */
function resolvePlacement(scheduling: Record<string, unknown>): Partial<Record<ScheduledComponent, Placement>> {
    const all = (scheduling.all ?? {}) as Placement;
    return Object.fromEntries(
        SCHEDULED_COMPONENTS.map((component) => [component, { ...all, ...(scheduling[component] as Placement) }])
            .filter(([, placement]) => Object.keys(placement as Placement).length > 0)
            .map(([component, placement]) => [component, placement]),
    );
}

/** Images, pull secrets, placement and availability, read and checked. */
export function readWorkloads(check: SettingsChecker, defaults: { availability: Availability }): WorkloadSettings {
    const registry = check.read("imageRegistry", "", "string", checkRegistry);
    const pullSecrets = check.list("imagePullSecrets", [], (name) =>
        checkSecretName(name) === undefined && name !== "" ? undefined : "is not a Secret name",
    );
    const credentials = check.given("registryCredentials");
    let registryCredentials: pulumi.Input<string> | undefined;
    if (typeof credentials === "string") {
        // Never shown: the value is a credential.
        let auths: unknown;
        try {
            auths = (JSON.parse(credentials) as Record<string, unknown>).auths;
        } catch {
            auths = undefined;
        }
        if (credentials !== "" && !isMap(auths)) {
            check.problem(
                "registryCredentials",
                'is not a Docker config with an "auths" map (its value is not shown); give the contents of a config.json that `docker login` wrote',
            );
        } else if (credentials !== "") {
            registryCredentials = credentials;
        }
    } else if (credentials !== undefined) {
        registryCredentials = credentials as pulumi.Input<string>;
    }
    const scheduling = check.read<Record<string, unknown>>("scheduling", {}, "object", (value) => {
        const problems = Object.entries(value).flatMap(([component, placement]) =>
            component === "all" || (SCHEDULED_COMPONENTS as readonly string[]).includes(component)
                ? placementProblems(placement, component)
                : [
                      `${show(component)} is not a component${closest(component, [...SCHEDULED_COMPONENTS, "all"]) ? `; did you mean ${closest(component, [...SCHEDULED_COMPONENTS, "all"])}?` : `; use all, ${SCHEDULED_COMPONENTS.join(", ")}`}`,
                  ],
        );
        return problems.length === 0 ? undefined : problems.join("; ");
    });
    return {
        ...(registry !== "" && { registry }),
        pullSecrets: [...(registryCredentials !== undefined ? [REGISTRY_CREDENTIALS_SECRET] : []), ...pullSecrets],
        ...(registryCredentials !== undefined && { registryCredentials }),
        placement: resolvePlacement(scheduling),
        explicitPlacement: scheduling as Record<string, Placement>,
        availability: check.oneOf("availability", defaults.availability, AVAILABILITIES),
    };
}

/** The ingress Service's annotations, source ranges and class, read and checked. */
export function readIngressService(check: SettingsChecker): IngressServiceSettings {
    const annotations = check.read<Record<string, unknown>>("ingressServiceAnnotations", {}, "object", (value) => {
        const problems = Object.entries(value).flatMap(([key, text]) => [
            ...(QUALIFIED_NAME.test(key) ? [] : [`${show(key)} is not an annotation key`]),
            ...(typeof text === "string" ? [] : [`${key}: ${show(text)} is not a string; quote it`]),
        ]);
        return problems.length === 0 ? undefined : problems.join("; ");
    }) as Record<string, string>;
    const loadBalancerClass = check.read("ingressLoadBalancerClass", "", "string", (value) =>
        value === "" || QUALIFIED_NAME.test(value)
            ? undefined
            : `${show(value)} is not a load balancer class; use a qualified name, e.g. service.k8s.aws/nlb`,
    );
    return {
        annotations,
        loadBalancerSourceRanges: [...check.list("ingressLoadBalancerSourceRanges", [], checkAnyCidr)].sort(),
        ...(loadBalancerClass !== "" && { loadBalancerClass }),
    };
}

/** What the workload settings deploy as asked but likely not as meant, by key. */
export function workloadWarnings(
    settings: {
        readonly workloads: WorkloadSettings;
        readonly nodes: number;
        readonly addons: readonly string[];
        readonly ingressGateway: boolean;
        readonly egressGateway: boolean;
    },
    fullKey: (key: "availability" | "scheduling" | "nodes") => string,
): [key: "availability" | "scheduling", message: string][] {
    const warnings: ["availability" | "scheduling", string][] = [];
    if (settings.workloads.availability === "high" && settings.nodes === 1) {
        warnings.push([
            "availability",
            `high on a cluster of one node (${fullKey("nodes")}): two pods survive the loss of a pod, not of the node, and a drain of that node waits on the disruption budget; give ${fullKey("nodes")} the cluster's node count`,
        ]);
    }
    const installed: Record<ScheduledComponent, boolean> = {
        istiod: true,
        ingressGateway: settings.ingressGateway,
        egressGateway: settings.egressGateway,
        prometheus: settings.addons.includes("prometheus"),
        grafana: settings.addons.includes("grafana"),
        jaeger: settings.addons.includes("jaeger"),
        kiali: settings.addons.includes("kiali"),
    };
    const idle = Object.keys(settings.workloads.explicitPlacement).filter(
        (component) => component !== "all" && !installed[component as ScheduledComponent],
    );
    if (idle.length > 0) {
        warnings.push([
            "scheduling",
            `places ${idle.join(", ")}, which ${idle.length === 1 ? "is" : "are"} not installed, so that has no effect; remove ${idle.length === 1 ? "it" : "them"} or install ${idle.length === 1 ? "it" : "them"}`,
        ]);
    }
    if (installed.jaeger && settings.workloads.placement.jaeger?.priorityClassName !== undefined) {
        warnings.push([
            "scheduling",
            `gives jaeger a priority class, which its chart cannot set, so its pod keeps the cluster's default priority`,
        ]);
    }
    return warnings;
}

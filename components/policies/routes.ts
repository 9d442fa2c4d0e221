import { ADDON_SERVICES } from "../values/addon-endpoints";
import { WORKLOAD_POD_LABELS } from "../values/pod-labels";
import { get, label, Props } from "./scope";

/**
 * Every way a stack's resources expose an add-on beyond its ClusterIP Service, as the engine
 * is told them: Istio routes through a gateway (HTTP, TCP and TLS routes, delegates
 * followed), Gateway API routes, Kubernetes Ingresses, and Services that select an add-on's
 * pods with a node port, a load balancer or external IPs. The policies decide which of these
 * a protected stack may have.
 */

export interface PolicyInput {
    readonly type: string;
    readonly props: Props;
}

/** The add-ons' Services by name, and the labels their pods carry. */
const ADDON_PODS: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.fromEntries(
    Object.entries(ADDON_SERVICES).map(([addon, { service }]) => [
        service,
        WORKLOAD_POD_LABELS[addon as keyof typeof ADDON_SERVICES],
    ]),
);

/** The add-on a destination host or backend names (`grafana.istio-system.svc...` or `grafana`), if any. */
export function addonOf(host: unknown): string | undefined {
    const service = String(host ?? "").split(".")[0];
    return service in ADDON_PODS ? service : undefined;
}

/** The namespace the add-ons run in, where a Service's selector reaches their pods. */
const ADDON_NAMESPACE = "istio-system";
const SERVICE_ENTRY = /^kubernetes:networking\.istio\.io\/v1(beta1|alpha3)?:ServiceEntry$/;

/**
 * Names that lead to an add-on besides its own Service, in these resources: another Service
 * in its namespace that selects its pods, a Service of type ExternalName that points to it,
 * and a ServiceEntry whose endpoints are it. A route to any of them reaches the add-on.
 */
function addonAliases(resources: readonly PolicyInput[]): Map<string, string> {
    const aliases = new Map<string, string>();
    for (const resource of resources) {
        if (resource.type === SERVICE) {
            const target =
                String(get(resource.props, "spec", "type")) === "ExternalName"
                    ? addonOf(get(resource.props, "spec", "externalName"))
                    : namespaceOf(resource) === ADDON_NAMESPACE
                      ? selectedAddon(resource)
                      : undefined;
            if (target !== undefined) {
                aliases.set(nameOf(resource), target);
            }
        }
        if (SERVICE_ENTRY.test(resource.type)) {
            const target = list(get(resource.props, "spec", "endpoints"))
                .map((endpoint) => addonOf(get(endpoint, "address")))
                .find((addon) => addon !== undefined);
            for (const host of (get(resource.props, "spec", "hosts") as string[] | undefined) ?? []) {
                if (target !== undefined) {
                    aliases.set(String(host), target);
                }
            }
        }
    }
    return aliases;
}

/** How these resources resolve a host or backend name to an add-on: its Service or an alias of it. */
export function addonResolver(resources: readonly PolicyInput[]): (host: unknown) => string | undefined {
    const aliases = addonAliases(resources);
    return (host) => {
        const text = String(host ?? "");
        return addonOf(text) ?? aliases.get(text) ?? aliases.get(text.split(".")[0]);
    };
}

const VIRTUAL_SERVICE = /^kubernetes:networking\.istio\.io\/v1(beta1|alpha3)?:VirtualService$/;
const ISTIO_GATEWAY = /^kubernetes:networking\.istio\.io\/v1(beta1|alpha3)?:Gateway$/;
const GATEWAY_API_ROUTE = /^kubernetes:gateway\.networking\.k8s\.io\/v1(beta1|alpha2)?:(HTTP|GRPC|TCP|TLS|UDP)Route$/;
const INGRESS = /^kubernetes:networking\.k8s\.io\/v1(beta1)?:Ingress$/;
const SERVICE = "kubernetes:core/v1:Service";

const list = (value: unknown): Props[] => (Array.isArray(value) ? (value as Props[]) : []);
const namespaceOf = (resource: PolicyInput): string => String(get(resource.props, "metadata", "namespace") ?? "");
const nameOf = (resource: PolicyInput): string => String(get(resource.props, "metadata", "name") ?? "");

/** A route of an Istio VirtualService bound to a gateway, with the add-ons it reaches. */
export interface GatewayRoute {
    readonly route: PolicyInput;
    /** `namespace/name` of each Istio Gateway it binds to (`mesh` left out). */
    readonly gateways: readonly string[];
    /** The VirtualService's hosts. */
    readonly hosts: readonly string[];
    /** Add-ons reached over HTTP routes (delegates followed), with the paths matched before each. */
    readonly http: readonly { readonly addon: string; readonly paths: readonly string[] }[];
    /** Add-ons reached over `tcp` or `tls` routes, which no host or path rule can guard. */
    readonly opaque: readonly string[];
}

/** The paths an HTTP route matches: exact ones, and prefixes as `prefix*`; `/*` when it matches every path. */
function matchedPaths(http: Props): string[] {
    const matches = list(get(http, "match"));
    if (matches.length === 0) {
        return ["/*"];
    }
    return matches.map((match) => {
        const uri = get(match, "uri") as Props | undefined;
        if (uri?.exact !== undefined) {
            return String(uri.exact);
        }
        return uri?.prefix !== undefined ? `${String(uri.prefix)}*` : "/*";
    });
}

/** The add-ons an HTTP route list reaches, following delegates through `virtualServices`, at most `depth` deep. */
function httpAddons(
    https: Props[],
    namespace: string,
    virtualServices: readonly PolicyInput[],
    resolve: (host: unknown) => string | undefined,
    depth = 3,
): { addon: string; paths: string[] }[] {
    return https.flatMap((http) => {
        const paths = matchedPaths(http);
        const direct = list(get(http, "route"))
            .map((route) => resolve(get(route, "destination", "host")))
            .filter((addon): addon is string => addon !== undefined)
            .map((addon) => ({ addon, paths }));
        const delegate = get(http, "delegate") as Props | undefined;
        if (delegate === undefined || depth === 0) {
            return direct;
        }
        const target = virtualServices.find(
            (vs) => nameOf(vs) === delegate.name && namespaceOf(vs) === String(delegate.namespace ?? namespace),
        );
        const delegated =
            target === undefined
                ? []
                : httpAddons(
                      list(get(target.props, "spec", "http")),
                      namespaceOf(target),
                      virtualServices,
                      resolve,
                      depth - 1,
                  );
        // A delegate's matches narrow the parent's, so the parent's paths are what reach it.
        return [...direct, ...delegated.map(({ addon }) => ({ addon, paths }))];
    });
}

/** Every VirtualService bound to a gateway that reaches an add-on, over any route kind. */
export function gatewayRoutesToAddons(resources: readonly PolicyInput[]): GatewayRoute[] {
    const virtualServices = resources.filter((r) => VIRTUAL_SERVICE.test(r.type));
    const resolve = addonResolver(resources);
    return virtualServices.flatMap((route): GatewayRoute[] => {
        const namespace = namespaceOf(route);
        const gateways = ((get(route.props, "spec", "gateways") as string[] | undefined) ?? [])
            .filter((gateway) => gateway !== "mesh")
            .map((gateway) => (gateway.includes("/") ? gateway : `${namespace}/${gateway}`));
        if (gateways.length === 0) {
            return [];
        }
        const http = httpAddons(list(get(route.props, "spec", "http")), namespace, virtualServices, resolve);
        const opaque = ["tcp", "tls"].flatMap((kind) =>
            list(get(route.props, "spec", kind))
                .flatMap((entry) => list(get(entry, "route")))
                .map((target) => resolve(get(target, "destination", "host")))
                .filter((addon): addon is string => addon !== undefined),
        );
        if (http.length === 0 && opaque.length === 0) {
            return [];
        }
        const hosts = ((get(route.props, "spec", "hosts") as string[] | undefined) ?? []).map(String);
        return [{ route, gateways, hosts, http, opaque: [...new Set(opaque)] }];
    });
}

/** The Istio Gateway a route binds to, by `namespace/name`. */
export function istioGateway(resources: readonly PolicyInput[], ref: string): PolicyInput | undefined {
    return resources.find((r) => ISTIO_GATEWAY.test(r.type) && `${namespaceOf(r)}/${nameOf(r)}` === ref);
}

/** Whether a Service's selector picks an add-on's pods: each of its labels is one of theirs. */
function selectedAddon(service: PolicyInput): string | undefined {
    const selector = (get(service.props, "spec", "selector") as Record<string, string> | undefined) ?? {};
    const keys = Object.keys(selector);
    if (keys.length === 0) {
        return undefined;
    }
    return Object.keys(ADDON_PODS).find((addon) => keys.every((key) => ADDON_PODS[addon][key] === selector[key]));
}

/** The add-ons' workloads, by kind: what runs their pods. */
const WORKLOAD = /^kubernetes:apps\/v1:(Deployment|StatefulSet|DaemonSet|ReplicaSet)$/;

/** Whether a workload's pod template carries an add-on's labels. */
function workloadAddon(resource: PolicyInput): string | undefined {
    const labels = (get(resource.props, "spec", "template", "metadata", "labels") as Record<string, string>) ?? {};
    return Object.keys(ADDON_PODS).find((addon) =>
        Object.entries(ADDON_PODS[addon]).every(([key, value]) => labels[key] === value),
    );
}

/**
 * Exposures of an add-on that no gateway's allow-list sees, as `what (Kind ns/name)`: a
 * Service of type NodePort or LoadBalancer, or with external IPs, that selects its pods or
 * sits in the add-ons' namespace (whatever labels its selector uses); an add-on's pod on the
 * node's network or a host port; an Ingress or a Gateway API route to its Service or an
 * alias of it.
 */
export function exposuresAroundTheGateway(resources: readonly PolicyInput[]): string[] {
    const resolve = addonResolver(resources);
    return resources.flatMap((resource): string[] => {
        const { type, props } = resource;
        if (type === SERVICE) {
            const serviceType = String(get(props, "spec", "type") ?? "ClusterIP");
            const externalIps = list(get(props, "spec", "externalIPs")).length > 0;
            const how = externalIps ? "Service with externalIPs" : serviceType;
            if (serviceType !== "NodePort" && serviceType !== "LoadBalancer" && !externalIps) {
                return [];
            }
            const addon = selectedAddon(resource);
            if (addon !== undefined) {
                return [`${addon} by a ${how} (${label(resource)})`];
            }
            return namespaceOf(resource) === ADDON_NAMESPACE
                ? [`the add-ons' namespace by a ${how} (${label(resource)})`]
                : [];
        }
        if (WORKLOAD.test(type)) {
            const addon = workloadAddon(resource);
            const pod = (get(props, "spec", "template", "spec") as Props | undefined) ?? {};
            const hostPorts = [...list(pod.containers), ...list(pod.initContainers)]
                .flatMap((container) => list(get(container, "ports")))
                .filter((port) => get(port, "hostPort") !== undefined);
            if (addon === undefined || (pod.hostNetwork !== true && hostPorts.length === 0)) {
                return [];
            }
            return [
                `${addon} on ${pod.hostNetwork === true ? "the node's network" : "a host port"} (${label(resource)})`,
            ];
        }
        if (INGRESS.test(type)) {
            const backends = [
                get(props, "spec", "defaultBackend", "service", "name"),
                ...list(get(props, "spec", "rules"))
                    .flatMap((rule) => list(get(rule, "http", "paths")))
                    .map((path) => get(path, "backend", "service", "name")),
            ];
            return [...new Set(backends.map(resolve).filter((addon) => addon !== undefined))].map(
                (addon) => `${addon} by an Ingress (${label(resource)})`,
            );
        }
        if (GATEWAY_API_ROUTE.test(type)) {
            const backends = list(get(props, "spec", "rules"))
                .flatMap((rule) => list(get(rule, "backendRefs")))
                .map((ref) => resolve(get(ref, "name")));
            return [...new Set(backends.filter((addon) => addon !== undefined))].map(
                (addon) => `${addon} by a Gateway API route (${label(resource)})`,
            );
        }
        return [];
    });
}

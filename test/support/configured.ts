import * as yaml from "js-yaml";
import { Addon } from "../../components/args/addons";
import { releaseOf, theObject } from "./manifests";
import { Registration } from "./monitor";
import { StackRender } from "./render";

/**
 * What the rendered configuration points at: the in-cluster addresses each app is told to
 * reach, and the sub-path each dashboard is configured to serve. Read from the rendered
 * ConfigMaps and container arguments, the files the apps really load.
 */

type Tree = Record<string, unknown>;

/** One in-cluster address a piece of configuration names. */
export interface Address {
    /** Where it is configured, e.g. `ConfigMap istio-system/kiali config.yaml external_services.prometheus.url`. */
    where: string;
    service: string;
    namespace: string;
    port: number;
    /** The URL path, if the address is a URL with one. */
    path?: string;
}

const IN_CLUSTER_URL = /^(?:https?:\/\/)?([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?(?::(\d+))?(\/[^?#]*)?$/;

/** `service.namespace.svc[.cluster.local][:port][/path]` as its parts; undefined for any other text. */
function parseInClusterAddress(text: string, defaultPort?: number): Omit<Address, "where"> | undefined {
    const match = IN_CLUSTER_URL.exec(text);
    const port = match?.[3] !== undefined ? Number(match[3]) : defaultPort;
    if (match === null || port === undefined) {
        return undefined;
    }
    return {
        service: match[1],
        namespace: match[2],
        port,
        ...(match[4] !== undefined && match[4] !== "" && { path: match[4] }),
    };
}

/** A ConfigMap's file, parsed as YAML. */
export function configFile(render: StackRender, release: string, configMap: string, key: string): Tree {
    const object = theObject(releaseOf(render.releases, release), "ConfigMap", configMap);
    const text = (object.data as Record<string, string> | undefined)?.[key];
    if (text === undefined) {
        throw new Error(`ConfigMap ${object.metadata.namespace}/${configMap} has no ${key}`);
    }
    return yaml.load(text) as Tree;
}

function at(tree: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((node, key) => (node as Tree | undefined)?.[key], tree);
}

function address(where: string, text: unknown, defaultPort?: number): Address {
    const parsed = typeof text === "string" ? parseInClusterAddress(text, defaultPort) : undefined;
    if (parsed === undefined) {
        throw new Error(`${where}: ${JSON.stringify(text)} is not an in-cluster address with a port`);
    }
    return { where, ...parsed };
}

const has = (render: StackRender, release: string): boolean => render.releases.some((r) => r.release === release);

/** Every in-cluster address the stack's configuration names, with where it is named. */
export function configuredAddresses(
    render: StackRender,
    portForwardCommands: Readonly<Record<string, string>>,
): Address[] {
    const found: Address[] = [];
    // Each istiod revision reads its own mesh config, `istio-<revision>`.
    for (const release of render.releases.filter((r) => r.chart === "istiod")) {
        const configMap = release.release.replace(/^istiod/, "istio");
        const mesh = configFile(render, release.release, configMap, "mesh");
        const meshWhere = `ConfigMap istio-system/${configMap} mesh`;
        found.push(address(`${meshWhere} defaultConfig.discoveryAddress`, at(mesh, "defaultConfig.discoveryAddress")));
        ((mesh.extensionProviders as Tree[] | undefined) ?? []).forEach((provider, i) => {
            const otel = provider.opentelemetry as { service: string; port: number } | undefined;
            if (otel !== undefined) {
                found.push(
                    address(
                        `${meshWhere} extensionProviders[${i}] (${String(provider.name)})`,
                        otel.service,
                        otel.port,
                    ),
                );
            }
        });
    }
    if (has(render, "kiali")) {
        const kiali = configFile(render, "kiali", "kiali", "config.yaml");
        const where = "ConfigMap istio-system/kiali config.yaml external_services";
        found.push(address(`${where}.prometheus.url`, at(kiali, "external_services.prometheus.url")));
        for (const [service, key] of [
            ["grafana", "internal_url"],
            ["tracing", "internal_url"],
        ]) {
            if (at(kiali, `external_services.${service}.enabled`) === true) {
                found.push(address(`${where}.${service}.${key}`, at(kiali, `external_services.${service}.${key}`)));
            }
        }
    }
    if (has(render, "grafana")) {
        const datasources = (configFile(render, "grafana", "grafana", "datasources.yaml").datasources as Tree[]) ?? [];
        datasources.forEach((source, i) =>
            found.push(address(`ConfigMap istio-system/grafana datasources.yaml datasources[${i}].url`, source.url)),
        );
    }
    // ztunnel asks istiod for certificates and configuration at the addresses in its environment.
    if (has(render, "ztunnel")) {
        const daemonSet = theObject(releaseOf(render.releases, "ztunnel"), "DaemonSet", "ztunnel");
        const pod = (daemonSet.spec as Tree).template as { spec: { containers: { env?: Tree[] }[] } };
        for (const name of ["CA_ADDRESS", "XDS_ADDRESS"]) {
            const value = pod.spec.containers[0].env?.find((e) => e.name === name)?.value;
            found.push(address(`DaemonSet ${daemonSet.metadata.namespace}/ztunnel env ${name}`, value));
        }
    }
    for (const route of render.run.registrations.filter(
        (r) => r.type === "kubernetes:networking.istio.io/v1:VirtualService",
    )) {
        found.push(...virtualServiceDestinations(route));
    }
    for (const [addon, command] of Object.entries(portForwardCommands)) {
        const match = /-n (\S+) port-forward svc\/(\S+) \d+:(\d+)\s+# then open http:\/\/localhost:\d+(\/\S*)$/.exec(
            command,
        );
        if (match === null) {
            throw new Error(
                `portForwardCommands.${addon}: ${JSON.stringify(command)} is not a port-forward to a Service`,
            );
        }
        found.push({
            where: `output portForwardCommands.${addon}`,
            service: match[2],
            namespace: match[1],
            port: Number(match[3]),
            path: match[4],
        });
    }
    return found;
}

function virtualServiceDestinations(route: Registration): Address[] {
    const spec = route.inputs.spec as {
        http: {
            match?: { uri?: { exact?: string; prefix?: string } }[];
            route: { destination: { host: string; port?: { number: number } } }[];
        }[];
    };
    // The path a route sends: its exact match, or its prefix without the trailing slash.
    const pathOf = (uri?: { exact?: string; prefix?: string }): string | undefined =>
        uri?.exact ?? uri?.prefix?.replace(/(.)\/$/, "$1");
    return spec.http.flatMap((http, i) =>
        http.route.map((target, j) => ({
            ...address(
                `VirtualService ${route.name} http[${i}].route[${j}].destination`,
                target.destination.host,
                target.destination.port?.number,
            ),
            ...(pathOf(http.match?.[0]?.uri) !== undefined && { path: pathOf(http.match?.[0]?.uri) }),
        })),
    );
}

/** The path of a URL, or of `%(protocol)s://%(domain)s:%(http_port)s/x/` as Grafana writes it. */
function urlPath(url: string): string {
    return /^[^/]*\/\/[^/]*(\/.*)?$/.exec(url)?.[1] ?? "/";
}

function withoutTrailingSlash(path: string): string {
    return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

/** The sub-path each rendered dashboard app is configured to serve, from its own configuration. */
export function servedPaths(render: StackRender): Partial<Record<Addon, string>> {
    const served: Partial<Record<Addon, string>> = {};
    if (has(render, "prometheus")) {
        const deployment = theObject(releaseOf(render.releases, "prometheus"), "Deployment", "prometheus");
        const containers = ((deployment.spec as Tree).template as { spec: { containers: { args?: string[] }[] } }).spec
            .containers;
        const prefix = containers.flatMap((c) => c.args ?? []).find((arg) => arg.startsWith("--web.route-prefix="));
        served.prometheus = withoutTrailingSlash(prefix?.slice("--web.route-prefix=".length) ?? "/");
    }
    if (has(render, "grafana")) {
        const ini = (
            theObject(releaseOf(render.releases, "grafana"), "ConfigMap", "grafana").data as Record<string, string>
        )["grafana.ini"];
        const server = /^\[server\]$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(ini)?.[1] ?? "";
        const setting = (key: string): string | undefined =>
            new RegExp(`^${key} = (.*)$`, "m").exec(server)?.[1]?.trim();
        served.grafana =
            setting("serve_from_sub_path") === "true" ? withoutTrailingSlash(urlPath(setting("root_url") ?? "/")) : "/";
    }
    if (has(render, "jaeger")) {
        served.jaeger = withoutTrailingSlash(
            String(
                at(
                    configFile(render, "jaeger", "user-config", "user-config.yaml"),
                    "extensions.jaeger_query.base_path",
                ) ?? "/",
            ),
        );
    }
    if (has(render, "kiali")) {
        served.kiali = withoutTrailingSlash(
            String(at(configFile(render, "kiali", "kiali", "config.yaml"), "server.web_root") ?? "/"),
        );
    }
    return served;
}

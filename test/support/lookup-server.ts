import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { ROOT } from "./program";

/**
 * The API server a chart's `lookup` calls reach during a preview, as Chart v4 renders: Helm
 * with `--dry-run=server` (pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go), so
 * `lookup` asks the cluster. This one is an empty cluster seen with the preview
 * credential's rights (docs/preview-reader.yaml): a request the reader's roles allow where they are bound
 * finds nothing (404, or an empty list), any other is refused with 403, as the real API
 * server refuses it, and Helm then fails the render, as the preview would fail.
 */

export const PREVIEW_READER_FILE = path.join(ROOT, "docs", "preview-reader.yaml");

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
    nonResourceURLs?: string[];
    /** Where the rule holds: a Role's namespace, or every namespace for a ClusterRole bound cluster-wide. */
    namespace?: string;
}

interface RbacDocument {
    kind: string;
    metadata: { name: string; namespace?: string };
    rules?: PolicyRule[];
    roleRef?: { kind: string; name: string };
}

/**
 * The reader's rules, each where its binding grants it: a ClusterRole's through the
 * ClusterRoleBinding everywhere, a Role's through a RoleBinding in its namespace only. A role
 * that nothing binds grants nothing.
 */
export function previewReaderRules(file = PREVIEW_READER_FILE): PolicyRule[] {
    const documents = yaml.loadAll(fs.readFileSync(file, "utf8")) as RbacDocument[];
    const bindings = documents.filter((d) => d.kind === "ClusterRoleBinding" || d.kind === "RoleBinding");
    return bindings.flatMap((binding) => {
        const namespaced = binding.kind === "RoleBinding";
        const role = documents.find(
            (d) =>
                d.kind === binding.roleRef?.kind &&
                d.metadata.name === binding.roleRef?.name &&
                (d.kind === "ClusterRole" || d.metadata.namespace === binding.metadata.namespace),
        );
        return (role?.rules ?? []).map((rule) => ({
            ...rule,
            ...(namespaced && { namespace: binding.metadata.namespace }),
        }));
    });
}

/** One API request, as RBAC sees it. */
export interface ApiRequest {
    verb: string;
    group: string;
    resource: string;
    namespace?: string;
    name?: string;
}

export function allows(rules: readonly PolicyRule[], request: ApiRequest): boolean {
    return rules.some(
        (rule) =>
            (rule.namespace === undefined || rule.namespace === request.namespace) &&
            rule.apiGroups.some((group) => group === "*" || group === request.group) &&
            rule.resources.some((resource) => resource === "*" || resource === request.resource) &&
            rule.verbs.some((verb) => verb === "*" || verb === request.verb) &&
            (rule.resourceNames === undefined ||
                (request.name !== undefined && rule.resourceNames.includes(request.name))),
    );
}

/** The discovery documents `lookup` needs to map a kind to its resource; others 404. */
const RESOURCES: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
    v1: [
        { name: "configmaps", kind: "ConfigMap", namespaced: true },
        { name: "namespaces", kind: "Namespace", namespaced: false },
        { name: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true },
        { name: "pods", kind: "Pod", namespaced: true },
        { name: "secrets", kind: "Secret", namespaced: true },
        { name: "serviceaccounts", kind: "ServiceAccount", namespaced: true },
        { name: "services", kind: "Service", namespaced: true },
    ],
    "apps/v1": [
        { name: "daemonsets", kind: "DaemonSet", namespaced: true },
        { name: "deployments", kind: "Deployment", namespaced: true },
        { name: "statefulsets", kind: "StatefulSet", namespaced: true },
    ],
};

const USER = "system:serviceaccount:istio-mesh-preview:preview";

/** What `url` asks of RBAC, or undefined for discovery (which every authenticated user may read). */
export function apiRequestOf(method: string, url: string): ApiRequest | undefined {
    const [pathname, query = ""] = url.split("?");
    const parts = pathname.split("/").filter((part) => part !== "");
    let rest: string[];
    let group: string;
    if (parts[0] === "api" && parts.length > 2) {
        group = "";
        rest = parts.slice(2);
    } else if (parts[0] === "apis" && parts.length > 3) {
        group = parts[1];
        rest = parts.slice(3);
    } else {
        return undefined;
    }
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length > 2) {
        namespace = rest[1];
        rest = rest.slice(2);
    }
    const [resource, name] = rest;
    const watch = /(^|&)watch=(1|true)/.test(query);
    const verb = method === "GET" ? (name !== undefined ? "get" : watch ? "watch" : "list") : method.toLowerCase();
    return {
        verb,
        group,
        resource,
        ...(namespace !== undefined && { namespace }),
        ...(name !== undefined && { name }),
    };
}

export interface LookupServer {
    /** A kubeconfig file that points Helm at this server. */
    kubeconfig: string;
    /** Every request a render made, with the status it got. */
    requests: { method: string; url: string; status: number }[];
}

function status(code: number, reason: string, message: string): string {
    return JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
}

function answer(rules: readonly PolicyRule[], method: string, url: string): [number, string] {
    const pathname = url.split("?")[0];
    if (pathname === "/api") {
        return [200, JSON.stringify({ kind: "APIVersions", versions: ["v1"] })];
    }
    const groupVersion = pathname.replace(/^\/apis?\//, "");
    if (RESOURCES[groupVersion] !== undefined) {
        const resources = RESOURCES[groupVersion].map((r) => ({ ...r, verbs: ["get", "list", "watch"] }));
        return [200, JSON.stringify({ kind: "APIResourceList", groupVersion, resources })];
    }
    const request = apiRequestOf(method, url);
    if (request === undefined) {
        return [404, status(404, "NotFound", `the server could not find the requested resource (${pathname})`)];
    }
    const where = request.namespace === undefined ? "at the cluster scope" : `in the namespace "${request.namespace}"`;
    if (!allows(rules, request)) {
        const message = `${request.resource}${request.name ? ` "${request.name}"` : ""} is forbidden: User "${USER}" cannot ${request.verb} resource "${request.resource}" in API group "${request.group}" ${where}`;
        return [403, status(403, "Forbidden", message)];
    }
    if (request.verb === "list") {
        const kind = Object.values(RESOURCES)
            .flat()
            .find((r) => r.name === request.resource)?.kind;
        return [200, JSON.stringify({ kind: `${kind}List`, apiVersion: "v1", metadata: {}, items: [] })];
    }
    return [404, status(404, "NotFound", `${request.resource} "${request.name}" not found`)];
}

let started: Promise<LookupServer> | undefined;

/** The process's lookup server, started on first use; it never keeps the process alive. */
export function lookupServer(): Promise<LookupServer> {
    started ??= new Promise((resolve, reject) => {
        const rules = previewReaderRules();
        const requests: LookupServer["requests"] = [];
        const server = http.createServer((req, res) => {
            const [code, body] = answer(rules, req.method ?? "GET", req.url ?? "/");
            requests.push({ method: req.method ?? "GET", url: req.url ?? "/", status: code });
            res.writeHead(code, { "Content-Type": "application/json" });
            res.end(body);
        });
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            server.unref();
            const { port } = server.address() as { port: number };
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lookup-server-"));
            const kubeconfig = path.join(dir, "kubeconfig");
            const config = {
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: "preview", cluster: { server: `http://127.0.0.1:${port}` } }],
                users: [{ name: "preview", user: { token: "preview" } }],
                contexts: [{ name: "preview", context: { cluster: "preview", user: "preview" } }],
                "current-context": "preview",
            };
            fs.writeFileSync(kubeconfig, yaml.dump(config), { mode: 0o600 });
            process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
            resolve({ kubeconfig, requests });
        });
    });
    return started;
}

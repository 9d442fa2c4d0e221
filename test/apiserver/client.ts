import * as https from "node:https";
import type { K8sObject } from "../support/render";

/**
 * The suite's own Kubernetes client, on Node's https: discovery, server-side apply, get,
 * delete, and a wait for a CRD to be Established. It does what pulumi-kubernetes does to
 * the API server for the calls the suite needs, and reports a refusal by object, field and
 * the server's own message.
 */

/** An object as the server returns it: what the render gives, with the server's metadata. */
export interface KubeObject extends K8sObject {
    metadata: K8sObject["metadata"] & {
        resourceVersion?: string;
        managedFields?: ManagedFieldsEntry[];
        [field: string]: unknown;
    };
}

export interface ManagedFieldsEntry {
    manager: string;
    operation: "Apply" | "Update";
    apiVersion: string;
    subresource?: string;
    fieldsV1?: Record<string, unknown>;
}

/** `Kind namespace/name`, or `Kind name` for a cluster-scoped object: how the suite names one. */
export function describeObject(object: Pick<KubeObject, "kind" | "metadata">): string {
    const { namespace, name } = object.metadata;
    return `${object.kind} ${namespace === undefined ? "" : `${namespace}/`}${name}`;
}

/** A request the server refused: the object, and each field it named with its message. */
export class Refusal extends Error {
    constructor(
        readonly object: string,
        readonly status: number,
        readonly reason: string,
        /** `field: message` for each cause, or the message alone when no field is named. */
        readonly causes: string[],
        serverMessage: string,
    ) {
        super(`${object}: ${reason} (${status}): ${causes.length > 0 ? causes.join("; ") : serverMessage}`);
    }
}

interface Status {
    kind?: string;
    reason?: string;
    message?: string;
    details?: { causes?: { field?: string; message?: string; reason?: string }[] };
}

function refusal(object: string, status: number, body: string): Refusal {
    let parsed: Status = {};
    try {
        parsed = JSON.parse(body) as Status;
    } catch {
        parsed = { message: body };
    }
    const causes = (parsed.details?.causes ?? []).map((cause) =>
        cause.field ? `${cause.field}: ${cause.message ?? cause.reason}` : String(cause.message ?? cause.reason),
    );
    return new Refusal(object, status, parsed.reason ?? "Unknown", causes, parsed.message ?? body);
}

/** Where a kind is served: its resource name and whether objects of it live in a namespace. */
interface ResourceInfo {
    plural: string;
    namespaced: boolean;
}

export interface ApplyOptions {
    fieldManager: string;
    /** Take fields over from other managers instead of failing with a conflict. */
    force: boolean;
}

export class KubeClient {
    private readonly agent: https.Agent;
    /** Each group-version's kinds, from discovery; refetched when a kind is missing. */
    private readonly discovery = new Map<string, Map<string, ResourceInfo>>();

    constructor(
        readonly server: string,
        /** The server's CA, for other clients of the same server (istiod's kubeconfig). */
        readonly ca: string,
        private readonly token: string,
    ) {
        this.agent = new https.Agent({ ca, keepAlive: true, maxSockets: 8 });
    }

    /** One request; resolves to the status and the body as text, whatever the status. */
    raw(
        method: string,
        path: string,
        body?: string,
        contentType = "application/json",
    ): Promise<{ status: number; body: string }> {
        return new Promise((resolve, reject) => {
            const request = https.request(
                new URL(path, this.server),
                {
                    method,
                    agent: this.agent,
                    headers: {
                        Authorization: `Bearer ${this.token}`,
                        Accept: "application/json",
                        ...(body !== undefined && { "Content-Type": contentType }),
                    },
                    timeout: 60_000,
                },
                (response) => {
                    const chunks: Buffer[] = [];
                    response.on("data", (chunk: Buffer) => chunks.push(chunk));
                    response.on("end", () =>
                        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
                    );
                    response.on("error", reject);
                },
            );
            request.on("timeout", () => request.destroy(new Error(`${method} ${path} timed out`)));
            request.on("error", reject);
            request.end(body);
        });
    }

    private async json<T>(object: string, method: string, path: string, body?: string, type?: string): Promise<T> {
        const reply = await this.raw(method, path, body, type);
        if (reply.status < 200 || reply.status >= 300) throw refusal(object, reply.status, reply.body);
        return JSON.parse(reply.body) as T;
    }

    /** The resource that serves `kind` in `apiVersion`, from discovery (refetched once if unknown). */
    async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
        for (const refresh of [false, true]) {
            if (refresh || !this.discovery.has(apiVersion)) await this.discover(apiVersion);
            const info = this.discovery.get(apiVersion)?.get(kind);
            if (info !== undefined) return info;
        }
        throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
    }

    /** Forgets what discovery said, as after adding CRDs. */
    forgetDiscovery(): void {
        this.discovery.clear();
    }

    private async discover(apiVersion: string): Promise<void> {
        const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        const reply = await this.raw("GET", path);
        const kinds = new Map<string, ResourceInfo>();
        if (reply.status === 200) {
            const list = JSON.parse(reply.body) as { resources: { name: string; kind: string; namespaced: boolean }[] };
            for (const resource of list.resources.filter((r) => !r.name.includes("/"))) {
                kinds.set(resource.kind, { plural: resource.name, namespaced: resource.namespaced });
            }
        } else if (reply.status !== 404) {
            throw refusal(`discovery of ${apiVersion}`, reply.status, reply.body);
        }
        this.discovery.set(apiVersion, kinds);
    }

    /** The path of an object, or of its collection when `name` is left out. */
    async pathOf(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">, withName = true): Promise<string> {
        const info = await this.resourceFor(object.apiVersion, object.kind);
        const base = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
        const { namespace, name } = object.metadata;
        if (info.namespaced && namespace === undefined) {
            throw new Error(`${describeObject(object)} is namespaced but names no namespace`);
        }
        const scope = info.namespaced ? `/namespaces/${encodeURIComponent(namespace as string)}` : "";
        return `${base}${scope}/${info.plural}${withName ? `/${encodeURIComponent(name)}` : ""}`;
    }

    /**
     * Server-side apply: PATCH with `application/apply-patch+yaml` (JSON is YAML), as
     * pulumi-kubernetes applies with server-side apply on. Resolves to the live object.
     */
    async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
        const query = new URLSearchParams({ fieldManager: options.fieldManager, force: String(options.force) });
        const path = `${await this.pathOf(object)}?${query.toString()}`;
        return this.json<KubeObject>(
            describeObject(object),
            "PATCH",
            path,
            JSON.stringify(object),
            "application/apply-patch+yaml",
        );
    }

    /** Create (POST) under `fieldManager`: fails with AlreadyExists if the object is there. */
    async create(object: KubeObject, fieldManager: string): Promise<KubeObject> {
        const query = new URLSearchParams({ fieldManager });
        const path = `${await this.pathOf(object, false)}?${query.toString()}`;
        return this.json<KubeObject>(describeObject(object), "POST", path, JSON.stringify(object));
    }

    /** The live object, or undefined if there is none. */
    async get(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<KubeObject | undefined> {
        const path = await this.pathOf(object);
        const reply = await this.raw("GET", path);
        if (reply.status === 404) return undefined;
        if (reply.status !== 200) throw refusal(describeObject(object), reply.status, reply.body);
        return JSON.parse(reply.body) as KubeObject;
    }

    /** The object's resourceVersion, or undefined if there is none. */
    async resourceVersion(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<string | undefined> {
        return (await this.get(object))?.metadata.resourceVersion;
    }

    /** Deletes the object, as a prune does; one already gone is no error. */
    async delete(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<void> {
        // The provider deletes in the foreground, which leaves the object to the garbage
        // collector until its dependents are gone; no collector runs here, so the suite deletes
        // in the background: the object goes at once (it has no dependents: no controller runs).
        const path = `${await this.pathOf(object)}?propagationPolicy=Background`;
        const reply = await this.raw("DELETE", path);
        if (reply.status !== 404 && (reply.status < 200 || reply.status >= 300)) {
            throw refusal(describeObject(object), reply.status, reply.body);
        }
    }

    /** Waits for a CRD's Established condition; its kinds are served from then on. */
    async waitEstablished(name: string, timeoutMs = 30_000): Promise<void> {
        const crd = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name } };
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const live = await this.get(crd);
            const conditions = ((live?.status as { conditions?: { type: string; status: string }[] } | undefined)
                ?.conditions ?? []) as { type: string; status: string }[];
            if (conditions.some((c) => c.type === "Established" && c.status === "True")) return;
            if (Date.now() > deadline) {
                throw new Error(`CustomResourceDefinition ${name} not Established in ${timeoutMs / 1000} s`);
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }

    /** Closes idle connections, so the process can exit. */
    close(): void {
        this.agent.destroy();
    }
}

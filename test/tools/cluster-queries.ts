// Asking a cluster for a list (its nodes, its namespaces), with kubectl or over HTTP(S) as
// the kubeconfig's user; every failure as one line, a refusal apart from an unreachable server.
import { execFile } from "child_process";
import * as http from "http";
import * as https from "https";
import { type ApiAccess, firstLine } from "./kubeconfig";

/** What the preflight lists: nodes for the memory, namespaces for the ones the stack labels. */
export type ListedResource = "nodes" | "namespaces";

/** What asking the cluster for a list gave. */
export type ListAnswer<T> =
    | { readonly items: readonly T[] }
    /** It answered, but this credential may not list them: the check that needs them is skipped. */
    | { readonly forbidden: string }
    | { readonly unreachable: string };

/** Asks kubectl for the `resource` of `context`, the kubeconfig given by `kubeconfigFile` if any. */
export function listWithKubectl<T>(
    kubectl: string,
    context: string,
    resource: ListedResource,
    kubeconfigFile?: string,
): Promise<ListAnswer<T>> {
    const args = [
        ...(kubeconfigFile === undefined ? [] : ["--kubeconfig", kubeconfigFile]),
        "--context",
        context,
        "--request-timeout=10s",
        "get",
        resource,
        "-o",
        "json",
    ];
    return new Promise((resolve) => {
        execFile(kubectl, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error === null) {
                try {
                    resolve({ items: (JSON.parse(stdout) as { items?: T[] }).items ?? [] });
                } catch (parse) {
                    resolve({ unreachable: `kubectl printed no list of ${resource} (${firstLine(parse)})` });
                }
                return;
            }
            const why = (stderr.trim() || error.message).split("\n").filter((line) => line.trim() !== "");
            const message =
                why.find((line) => line.startsWith("Error from server") || line.includes("nable to connect")) ?? why[0];
            resolve(
                /forbidden/i.test(message) ? { forbidden: message } : { unreachable: message.replace(/^error: /, "") },
            );
        });
    });
}

/** Asks the API server for the `resource` over HTTP(S), as `access` says; 10 seconds at most. */
export function listOverHttps<T>(
    access: ApiAccess,
    resource: ListedResource,
    timeoutMs = 10_000,
): Promise<ListAnswer<T>> {
    return new Promise((resolve) => {
        let url: URL;
        try {
            url = new URL(`/api/v1/${resource}`, access.server);
        } catch {
            resolve({ unreachable: `its server ${JSON.stringify(access.server)} is no URL` });
            return;
        }
        const headers: Record<string, string> = { Accept: "application/json" };
        if (access.token !== undefined) headers.Authorization = `Bearer ${access.token}`;
        else if (access.basic !== undefined) headers.Authorization = `Basic ${access.basic}`;
        const options: https.RequestOptions = {
            // One request: no pooled connection to keep (or to find closed).
            agent: false,
            headers,
            timeout: timeoutMs,
            ...(access.ca !== undefined && { ca: access.ca }),
            ...(access.cert !== undefined && { cert: access.cert }),
            ...(access.key !== undefined && { key: access.key }),
            ...(access.insecure === true && { rejectUnauthorized: false }),
        };
        const request = (url.protocol === "http:" ? http : https).get(url, options, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => (body += chunk));
            response.on("end", () => {
                const status = response.statusCode ?? 0;
                if (status === 200) {
                    try {
                        resolve({ items: (JSON.parse(body) as { items?: T[] }).items ?? [] });
                    } catch (error) {
                        resolve({ unreachable: `it answered no list of ${resource} (${firstLine(error)})` });
                    }
                } else if (status === 403) {
                    resolve({ forbidden: `HTTP 403: this credential may not list ${resource}` });
                } else {
                    const reason = (() => {
                        try {
                            return (JSON.parse(body) as { message?: string }).message;
                        } catch {
                            return undefined;
                        }
                    })();
                    resolve({ unreachable: `HTTP ${status}${reason === undefined ? "" : ` ${reason}`}` });
                }
            });
        });
        request.on("timeout", () => request.destroy(new Error(`no answer in ${timeoutMs / 1000} s`)));
        request.on("error", (error: NodeJS.ErrnoException) =>
            resolve({
                unreachable:
                    error.code !== undefined && !error.message.includes(error.code)
                        ? `${error.code} ${error.message}`
                        : error.message,
            }),
        );
    });
}

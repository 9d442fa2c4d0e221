// The kubeconfig as kubectl reads it, and how to reach a context's API server as its user:
// what the preflight (preflight.ts) asks the cluster with when kubectl is not on PATH.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

/** An error's first line: what a one-line problem quotes. */
export function firstLine(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return text.trim().split("\n")[0];
}

/** Raw kubeconfig entries, as the file has them (docs: kubernetes.io, "Configure access to multiple clusters"). */
interface KubeconfigFile {
    "current-context"?: string;
    contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
    clusters?: { name: string; cluster?: Record<string, unknown> }[];
    users?: { name: string; user?: Record<string, unknown> }[];
}

/** The kubeconfig as a client merges it: the first file to name an entry (or the current context) wins. */
export interface Kubeconfig {
    /** Where it was read from: the files, or `kubernetes:kubeconfig` when the stack holds it. */
    readonly sources: readonly string[];
    readonly currentContext?: string;
    readonly contexts: Readonly<Record<string, { cluster?: string; user?: string }>>;
    /** Each cluster's entry, file paths in it made absolute against its file's folder. */
    readonly clusters: Readonly<Record<string, Record<string, unknown>>>;
    readonly users: Readonly<Record<string, Record<string, unknown>>>;
}

/** Where the kubeconfig comes from: the stack's `kubernetes:kubeconfig` (a path or the file itself), KUBECONFIG, or ~/.kube/config. */
export type KubeconfigSource = { readonly files: readonly string[] } | { readonly content: string };

export function kubeconfigSource(
    configured: string | undefined,
    env: NodeJS.ProcessEnv,
    home: string,
): KubeconfigSource {
    const expand = (file: string): string =>
        file === "~" || file.startsWith("~/") ? path.join(home, file.slice(1)) : file;
    if (configured !== undefined && configured.trim() !== "") {
        return /\n|^\s*[{]|^\s*(apiVersion|clusters|contexts|kind):/.test(configured)
            ? { content: configured }
            : { files: [expand(configured.trim())] };
    }
    const listed = (env.KUBECONFIG ?? "").split(path.delimiter).filter((file) => file !== "");
    return { files: listed.length > 0 ? listed.map(expand) : [path.join(home, ".kube", "config")] };
}

const FILE_FIELDS = ["certificate-authority", "client-certificate", "client-key", "tokenFile"];

/** One parsed file's entries, relative paths resolved against `dir`. */
function absolute(entry: Record<string, unknown> | undefined, dir: string): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(entry ?? {}).map(([key, value]) => [
            key,
            FILE_FIELDS.includes(key) && typeof value === "string" ? path.resolve(dir, value) : value,
        ]),
    );
}

/** Merges parsed kubeconfig files, `[source, text, folder]` each, as kubectl does. */
export function mergeKubeconfigs(files: readonly { source: string; text: string; dir: string }[]): Kubeconfig {
    let currentContext: string | undefined;
    const contexts: Record<string, { cluster?: string; user?: string }> = {};
    const clusters: Record<string, Record<string, unknown>> = {};
    const users: Record<string, Record<string, unknown>> = {};
    for (const file of files) {
        const parsed = (yaml.load(file.text) ?? {}) as KubeconfigFile;
        currentContext ||= parsed["current-context"] || undefined;
        for (const c of parsed.contexts ?? []) contexts[c.name] ??= c.context ?? {};
        for (const c of parsed.clusters ?? []) clusters[c.name] ??= absolute(c.cluster, file.dir);
        for (const u of parsed.users ?? []) users[u.name] ??= absolute(u.user, file.dir);
    }
    return { sources: files.map((f) => f.source), currentContext, contexts, clusters, users };
}

/** Reads the kubeconfig `source` names; a problem line when there is none. */
export function readKubeconfig(source: KubeconfigSource): Kubeconfig | { problem: string } {
    if ("content" in source) {
        try {
            return mergeKubeconfigs([{ source: "kubernetes:kubeconfig", text: source.content, dir: process.cwd() }]);
        } catch (error) {
            return {
                problem: `kubernetes:kubeconfig is not a kubeconfig (${firstLine(error)}): set it to the path of one, or to its content`,
            };
        }
    }
    const present = source.files.filter((file) => fs.existsSync(file));
    if (present.length === 0) {
        return {
            problem: `no kubeconfig: ${source.files.join(", ")} ${source.files.length === 1 ? "does" : "do"} not exist; start a cluster (\`minikube start --memory 4g\` writes ~/.kube/config) or point KUBECONFIG at one`,
        };
    }
    try {
        return mergeKubeconfigs(
            present.map((file) => ({ source: file, text: fs.readFileSync(file, "utf8"), dir: path.dirname(file) })),
        );
    } catch (error) {
        return {
            problem: `${present.join(", ")}: not a kubeconfig (${firstLine(error)}); fix the file or point KUBECONFIG at another`,
        };
    }
}

/** The request options to reach a cluster as a kubeconfig user, certificates and tokens included. */
export interface ApiAccess {
    readonly server: string;
    readonly ca?: Buffer;
    readonly insecure?: boolean;
    readonly cert?: Buffer;
    readonly key?: Buffer;
    readonly token?: string;
    readonly basic?: string;
}

const decoded = (data: unknown): Buffer | undefined =>
    typeof data === "string" && data !== "" ? Buffer.from(data, "base64") : undefined;
const fileBytes = (file: unknown): Buffer | undefined =>
    typeof file === "string" && file !== "" ? fs.readFileSync(file) : undefined;

/** Runs a kubeconfig `exec` credential plugin; its token or client certificate. */
function execCredential(exec: Record<string, unknown>): { token?: string; cert?: Buffer; key?: Buffer } {
    const env = Object.fromEntries(
        ((exec.env as { name: string; value: string }[] | null) ?? []).map((e) => [e.name, e.value]),
    );
    const output = execFileSync(String(exec.command), (exec.args as string[] | null) ?? [], {
        encoding: "utf8",
        env: {
            ...process.env,
            ...env,
            KUBERNETES_EXEC_INFO: JSON.stringify({
                apiVersion: exec.apiVersion,
                kind: "ExecCredential",
                spec: { interactive: false },
            }),
        },
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 30_000,
    });
    const status = (JSON.parse(output) as { status?: Record<string, string> }).status ?? {};
    return {
        token: status.token,
        cert: status.clientCertificateData ? Buffer.from(status.clientCertificateData) : undefined,
        key: status.clientKeyData ? Buffer.from(status.clientKeyData) : undefined,
    };
}

/** How to reach the API server of `context` as its user, from the kubeconfig's entries. */
export function apiAccess(kubeconfig: Kubeconfig, context: string): ApiAccess {
    const entry = kubeconfig.contexts[context] ?? {};
    const cluster = kubeconfig.clusters[entry.cluster ?? ""] ?? {};
    const user = kubeconfig.users[entry.user ?? ""] ?? {};
    const provider = (user["auth-provider"] as { config?: Record<string, string> } | undefined)?.config ?? {};
    const plugin = user.exec as Record<string, unknown> | undefined;
    const fromPlugin = plugin === undefined ? {} : execCredential(plugin);
    const tokenFile = typeof user.tokenFile === "string" ? fs.readFileSync(user.tokenFile, "utf8").trim() : undefined;
    const token =
        (user.token as string | undefined) ??
        tokenFile ??
        fromPlugin.token ??
        provider["access-token"] ??
        provider["id-token"];
    return {
        server: String(cluster.server ?? ""),
        ca: decoded(cluster["certificate-authority-data"]) ?? fileBytes(cluster["certificate-authority"]),
        insecure: cluster["insecure-skip-tls-verify"] === true,
        cert: decoded(user["client-certificate-data"]) ?? fileBytes(user["client-certificate"]) ?? fromPlugin.cert,
        key: decoded(user["client-key-data"]) ?? fileBytes(user["client-key"]) ?? fromPlugin.key,
        ...(token !== undefined && { token }),
        ...(typeof user.username === "string" && {
            basic: Buffer.from(`${user.username}:${String(user.password ?? "")}`).toString("base64"),
        }),
    };
}

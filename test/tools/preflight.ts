import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { clusterProblems, isPersonalStack } from "../../components/config/cluster";
import { formatMi, MI, parseQuantity } from "../../components/args/quantity";

/**
 * What `npm run up` and `npm run preview` check before Pulumi starts, each missing thing as
 * one line that names the key or command and the fix: the CLI (./pulumi-cli.ts), a kubeconfig,
 * the context the stack names (or the current one, for a personal stack), a cluster that
 * answers there, and the memory the stack is sized for (`istio-mesh:memory`) against what the
 * cluster's nodes have allocatable. The cluster is asked with kubectl when it is on PATH
 * (every kind of credential works), else through the kubeconfig over plain HTTPS (certificates,
 * tokens, exec plugins). The decisions are pure functions; the asking is at the end.
 */

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

/**
 * The context `stack` deploys to in `kubeconfig`: the one it names in `kubernetes:context`,
 * or, for a personal stack that names none, the current one. Problem lines otherwise.
 */
export function targetContext(
    stack: string,
    config: Readonly<Record<string, string>>,
    kubeconfig: Kubeconfig,
): { context: string } | { problems: string[] } {
    const refused = clusterProblems(stack, config);
    if (refused.length > 0) {
        return { problems: refused };
    }
    const known = Object.keys(kubeconfig.contexts).sort();
    const list = known.length > 0 ? known.join(", ") : "none";
    const where = kubeconfig.sources.join(", ");
    const named = config["kubernetes:context"]?.trim() || undefined;
    if (named !== undefined) {
        return named in kubeconfig.contexts
            ? { context: named }
            : {
                  problems: [
                      `kubernetes:context: stack ${stack} deploys to the context ${named}, which ${where} does not have (its contexts: ${list}); ` +
                          `add that cluster's context under this name (\`kubectl config rename-context <context> ${named}\`), or name yours with \`npm run pulumi -- config set kubernetes:context <context> --stack ${stack}\``,
                  ],
              };
    }
    const current = kubeconfig.currentContext;
    if (current === undefined || !(current in kubeconfig.contexts)) {
        return {
            problems: [
                `${current === undefined ? "no current context" : `the current context ${current} is not defined`} in ${where}, which the personal stack ${stack} deploys to; choose one with \`kubectl config use-context <context>\` (contexts: ${list})`,
            ],
        };
    }
    return { context: current };
}

/** A node as the API lists it: what the memory check reads. */
export interface NodeView {
    readonly metadata?: { name?: string };
    readonly spec?: { unschedulable?: boolean };
    readonly status?: { allocatable?: { memory?: string } };
}

/** Below this share of `istio-mesh:memory`, the nodes' allocatable memory says the cluster has less than the stack is sized for. */
export const MEMORY_TOLERANCE = 0.9;

/**
 * Whether the schedulable nodes have the memory the stack is sized for. A cluster started with
 * `minikube start --memory 4g` shows a little less than 4Gi allocatable (the kernel's and the
 * kubelet's share), so under 90% of `istio-mesh:memory` is a problem, not under 100%.
 */
export function memoryProblem(stack: string, memory: string, nodes: readonly NodeView[]): string | undefined {
    const sized = parseQuantity(memory);
    if (sized === undefined) {
        return undefined; // The program names a malformed quantity itself.
    }
    const schedulable = nodes.filter((node) => node.spec?.unschedulable !== true);
    const allocatable = schedulable.reduce(
        (sum, node) => sum + (parseQuantity(node.status?.allocatable?.memory ?? "0") ?? 0),
        0,
    );
    if (allocatable >= sized * MEMORY_TOLERANCE) {
        return undefined;
    }
    const count = schedulable.length === 1 ? "1 schedulable node has" : `${schedulable.length} schedulable nodes have`;
    const fits = formatMi(Math.floor(allocatable / MI) * MI);
    return (
        `istio-mesh:memory: stack ${stack} is sized for ${memory}, but the cluster's ${count} ${formatMi(allocatable)} allocatable, under ${MEMORY_TOLERANCE * 100}% of it; ` +
        `size it for what the cluster has with \`npm run pulumi -- config set istio-mesh:memory ${fits} --stack ${stack}\`, or give the cluster more memory (minikube: \`minikube delete && minikube start --memory 4g\`)`
    );
}

/** What asking the cluster for its nodes gave. */
export type NodesAnswer =
    | { readonly nodes: readonly NodeView[] }
    /** It answered, but this credential may not list nodes: the memory check is skipped. */
    | { readonly forbidden: string }
    | { readonly unreachable: string };

/** The line for a cluster that did not answer. */
export function unreachableProblem(context: string, server: string | undefined, why: string): string {
    return (
        `the cluster of context ${context}${server === undefined ? "" : ` (${server})`} does not answer: ${why}; ` +
        "start it (`minikube start --memory 4g`), or check the context with `kubectl --context " +
        `${context} get nodes\``
    );
}

function firstLine(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return text.trim().split("\n")[0];
}

/** Asks kubectl for the nodes of `context`, the kubeconfig given by `kubeconfigFile` if any. */
export function nodesWithKubectl(kubectl: string, context: string, kubeconfigFile?: string): Promise<NodesAnswer> {
    const args = [
        ...(kubeconfigFile === undefined ? [] : ["--kubeconfig", kubeconfigFile]),
        "--context",
        context,
        "--request-timeout=10s",
        "get",
        "nodes",
        "-o",
        "json",
    ];
    return new Promise((resolve) => {
        execFile(kubectl, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error === null) {
                try {
                    resolve({ nodes: ((JSON.parse(stdout) as { items?: NodeView[] }).items ?? []) as NodeView[] });
                } catch (parse) {
                    resolve({ unreachable: `kubectl printed no node list (${firstLine(parse)})` });
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

/** Asks the API server for the nodes over HTTP(S), as `access` says; 10 seconds at most. */
export function nodesOverHttps(access: ApiAccess, timeoutMs = 10_000): Promise<NodesAnswer> {
    return new Promise((resolve) => {
        let url: URL;
        try {
            url = new URL("/api/v1/nodes", access.server);
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
                        resolve({ nodes: (JSON.parse(body) as { items?: NodeView[] }).items ?? [] });
                    } catch (error) {
                        resolve({ unreachable: `it answered no node list (${firstLine(error)})` });
                    }
                } else if (status === 403) {
                    resolve({ forbidden: `HTTP 403: this credential may not list nodes` });
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

/** What the preflight needs to know and do, so that a test can stand in for each part. */
export interface PreflightInputs {
    readonly stack: string;
    /** The stack's whole config: Pulumi.yaml's defaults under its stack file's keys, as wire strings. */
    readonly config: Readonly<Record<string, string>>;
    readonly env: NodeJS.ProcessEnv;
    readonly home: string;
    /** The CLI's problem line, if there is no CLI to run. */
    readonly cliProblem?: string;
    /** kubectl's path, when it is on PATH. */
    readonly kubectl?: string;
}

/** What the preflight found: a line per missing thing, and what it saw on the way. */
export interface PreflightResult {
    readonly problems: readonly string[];
    readonly notes: readonly string[];
}

/** The whole preflight: each missing thing as one line. */
export async function preflight(inputs: PreflightInputs): Promise<PreflightResult> {
    const problems: string[] = inputs.cliProblem === undefined ? [] : [inputs.cliProblem];
    const notes: string[] = [];
    const source = kubeconfigSource(inputs.config["kubernetes:kubeconfig"], inputs.env, inputs.home);
    const kubeconfig = readKubeconfig(source);
    if ("problem" in kubeconfig) {
        return { problems: [...problems, ...clusterProblems(inputs.stack, inputs.config), kubeconfig.problem], notes };
    }
    const target = targetContext(inputs.stack, inputs.config, kubeconfig);
    if ("problems" in target) {
        return { problems: [...problems, ...target.problems], notes };
    }
    const server = kubeconfig.clusters[kubeconfig.contexts[target.context]?.cluster ?? ""]?.server as
        | string
        | undefined;
    let answer: NodesAnswer;
    if (inputs.kubectl !== undefined) {
        let file: string | undefined;
        let scratch: string | undefined;
        if ("content" in source) {
            scratch = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
            file = path.join(scratch, "kubeconfig");
            fs.writeFileSync(file, source.content, { mode: 0o600 });
        } else if (inputs.config["kubernetes:kubeconfig"]) {
            file = source.files[0];
        }
        try {
            answer = await nodesWithKubectl(inputs.kubectl, target.context, file);
        } finally {
            if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
        }
    } else {
        try {
            answer = await nodesOverHttps(apiAccess(kubeconfig, target.context));
        } catch (error) {
            answer = { unreachable: `its credential could not be read (${firstLine(error)})` };
        }
    }
    const personal = isPersonalStack(inputs.stack) && !inputs.config["kubernetes:context"] ? " (the current one)" : "";
    notes.push(`stack ${inputs.stack} deploys to the context ${target.context}${personal}`);
    if ("unreachable" in answer) {
        problems.push(unreachableProblem(target.context, server, answer.unreachable));
    } else if ("forbidden" in answer) {
        notes.push(`the memory check is skipped: the cluster answered, but ${answer.forbidden}`);
    } else {
        const memory = memoryProblem(inputs.stack, inputs.config["istio-mesh:memory"] ?? "", answer.nodes);
        if (memory !== undefined) problems.push(memory);
    }
    return { problems, notes };
}

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatMi, MI, parseQuantity } from "../../components/args/quantity";
import { clusterProblems, isPersonalStack } from "../../components/config/cluster";
import { ListAnswer, ListedResource, listOverHttps, listWithKubectl } from "./cluster-queries";
import { missingNamespaceProblems, NamespaceView } from "./preflight-namespaces";
import { apiAccess, firstLine, Kubeconfig, KubeconfigSource, kubeconfigSource, readKubeconfig } from "./kubeconfig";

/**
 * What `npm run up` and `npm run preview` check before Pulumi starts, each missing thing as
 * one line that names the key or command and the fix: the CLI (./pulumi-cli.ts), a kubeconfig,
 * the context the stack names (or the current one, for a personal stack), a cluster that
 * answers there, the memory the stack is sized for (`istio-mesh:memory`) against what the
 * cluster's nodes have allocatable, and the namespaces the stack labels but never creates. The cluster is asked with kubectl when it is on PATH
 * (every kind of credential works), else through the kubeconfig over plain HTTPS (certificates,
 * tokens, exec plugins). The decisions are pure functions; the asking is at the end.
 */

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
export function memoryProblem(
    stack: string,
    memory: string,
    nodes: readonly NodeView[],
    key = "istio-mesh:memory",
): string | undefined {
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
        `${key}: stack ${stack} is sized for ${memory}, but the cluster's ${count} ${formatMi(allocatable)} allocatable, under ${MEMORY_TOLERANCE * 100}% of it; ` +
        `size it for what the cluster has with ${key === "istio-mesh:memory" ? `\`npm run pulumi -- config set istio-mesh:memory ${fits} --stack ${stack}\`` : `${key}: ${fits} in Pulumi.${stack}.yaml`}, or give the cluster more memory (minikube: \`minikube delete && minikube start --memory 4g\`)`
    );
}

/** The line for a cluster that did not answer. */
export function unreachableProblem(context: string, server: string | undefined, why: string): string {
    return (
        `the cluster of context ${context}${server === undefined ? "" : ` (${server})`} does not answer: ${why}; ` +
        "start it (`minikube start --memory 4g`), or check the context with `kubectl --context " +
        `${context} get nodes\``
    );
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

/** The whole preflight: each missing thing as one line; for a mesh of several, for each of its clusters. */
export async function preflight(inputs: PreflightInputs): Promise<PreflightResult> {
    const problems: string[] = inputs.cliProblem === undefined ? [] : [inputs.cliProblem];
    const notes: string[] = [];
    const clusters = meshClusters(inputs.config);
    if (clusters.length > 0) {
        // Each cluster on its own connection (the program refuses a shared one), sized by its own memory.
        for (const [name, entry] of clusters) {
            const key = `istio-mesh:clusters.${name}`;
            const source = kubeconfigSource(entry.kubeconfig, inputs.env, inputs.home);
            const kubeconfig = readKubeconfig(source);
            const context = entry.context ?? ("problem" in kubeconfig ? undefined : kubeconfig.currentContext);
            if ("problem" in kubeconfig) {
                problems.push(`${key}: ${kubeconfig.problem}`);
            } else if (context === undefined || !(context in kubeconfig.contexts)) {
                problems.push(
                    `${key}.context: cluster ${name} deploys to the context ${context ?? "(none)"}, which ${kubeconfig.sources.join(", ")} does not have (its contexts: ${Object.keys(kubeconfig.contexts).sort().join(", ") || "none"}); create the cluster, or name its context`,
                );
            } else {
                const memory = {
                    value: entry.memory ?? inputs.config["istio-mesh:memory"] ?? "",
                    key: entry.memory === undefined ? "istio-mesh:memory" : `${key}.memory`,
                };
                const found = await checkContext(
                    inputs,
                    source,
                    kubeconfig,
                    context,
                    memory,
                    entry.kubeconfig !== undefined,
                );
                problems.push(...found.problems);
                notes.push(`stack ${inputs.stack} deploys cluster ${name} to the context ${context}`, ...found.notes);
            }
        }
        return { problems, notes };
    }
    const source = kubeconfigSource(inputs.config["kubernetes:kubeconfig"], inputs.env, inputs.home);
    const kubeconfig = readKubeconfig(source);
    if ("problem" in kubeconfig) {
        return { problems: [...problems, ...clusterProblems(inputs.stack, inputs.config), kubeconfig.problem], notes };
    }
    const target = targetContext(inputs.stack, inputs.config, kubeconfig);
    if ("problems" in target) {
        return { problems: [...problems, ...target.problems], notes };
    }
    const personal = isPersonalStack(inputs.stack) && !inputs.config["kubernetes:context"] ? " (the current one)" : "";
    notes.push(`stack ${inputs.stack} deploys to the context ${target.context}${personal}`);
    const memory = { value: inputs.config["istio-mesh:memory"] ?? "", key: "istio-mesh:memory" };
    const named = Boolean(inputs.config["kubernetes:kubeconfig"]);
    const found = await checkContext(inputs, source, kubeconfig, target.context, memory, named);
    return { problems: [...problems, ...found.problems], notes: [...notes, ...found.notes] };
}

/** The clusters of a mesh of several, as the stack's `istio-mesh:clusters` names them; none for one cluster. */
function meshClusters(
    config: Readonly<Record<string, string>>,
): [string, { context?: string; kubeconfig?: string; memory?: string }][] {
    try {
        const parsed: unknown = JSON.parse(config["istio-mesh:clusters"] ?? "{}");
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return [];
        // A malformed entry is the program's to name: here it only goes unchecked.
        return Object.entries(parsed as Record<string, Record<string, unknown>>).map(([name, entry]) => [
            name,
            {
                ...(typeof entry?.context === "string" && { context: entry.context }),
                ...(typeof entry?.kubeconfig === "string" && { kubeconfig: entry.kubeconfig }),
                ...(typeof entry?.memory === "string" && { memory: entry.memory }),
            },
        ]);
    } catch {
        return [];
    }
}

/** Asks one context for its nodes and namespaces: whether it answers, its memory, the namespaces the stack labels. */
async function checkContext(
    inputs: PreflightInputs,
    source: KubeconfigSource,
    kubeconfig: Kubeconfig,
    context: string,
    memory: { value: string; key: string },
    namedKubeconfig: boolean,
): Promise<PreflightResult> {
    const problems: string[] = [];
    const notes: string[] = [];
    const server = kubeconfig.clusters[kubeconfig.contexts[context]?.cluster ?? ""]?.server as string | undefined;
    let scratch: string | undefined;
    let file: string | undefined;
    if (inputs.kubectl !== undefined && "content" in source) {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
        file = path.join(scratch, "kubeconfig");
        fs.writeFileSync(file, source.content, { mode: 0o600 });
    } else if (inputs.kubectl !== undefined && namedKubeconfig && "files" in source) {
        file = source.files[0];
    }
    const list = async <T>(resource: ListedResource): Promise<ListAnswer<T>> => {
        if (inputs.kubectl !== undefined) return listWithKubectl<T>(inputs.kubectl, context, resource, file);
        try {
            return await listOverHttps<T>(apiAccess(kubeconfig, context), resource);
        } catch (error) {
            return { unreachable: `its credential could not be read (${firstLine(error)})` };
        }
    };
    let answer: ListAnswer<NodeView>;
    let namespaces: ListAnswer<NamespaceView> | undefined;
    try {
        answer = await list<NodeView>("nodes");
        if (!("unreachable" in answer)) namespaces = await list<NamespaceView>("namespaces");
    } finally {
        if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
    }
    if ("unreachable" in answer) {
        problems.push(unreachableProblem(context, server, answer.unreachable));
    } else if ("forbidden" in answer) {
        notes.push(`the memory check is skipped: the cluster answered, but ${answer.forbidden}`);
    } else {
        const short = memoryProblem(inputs.stack, memory.value, answer.items, memory.key);
        if (short !== undefined) problems.push(short);
    }
    if (namespaces !== undefined && "forbidden" in namespaces) {
        notes.push(`the namespace check is skipped: the cluster answered, but ${namespaces.forbidden}`);
    } else if (namespaces !== undefined && "items" in namespaces) {
        problems.push(...missingNamespaceProblems(inputs.stack, context, inputs.config, namespaces.items));
    }
    return { problems, notes };
}

import { ARG_PATHS, MeshKey, StackKey, withValueAt } from "../args/arg-paths";
import type { IstioMeshArgs } from "../args/istio-mesh-args";
import type { LastDeployment } from "../args/upgrade-guard";
import type { MeshSettings } from "../args/settings";
import { resolveMeshSettings } from "../mesh-settings";
import { clusterProblems, topologyProblems } from "./cluster";
import { MeshConfigError, parseWireValue, unknownKeys, wireForm } from "./config-reader";
import { CONFIG_KEYS } from "./keys";
import { multiClusterConfig } from "./multi-cluster-config";
import type { IstioMultiClusterMeshArgs } from "../args/multi-cluster-mesh-args";
import { KUBERNETES_SETTINGS, providerSettings } from "./kubernetes-settings";

/**
 * The program's stack configuration as the component's arguments: each `istio-mesh:` key
 * parsed by its kind and placed at its argument path, the stack's `kubernetes:` settings as
 * the cluster the component adopts objects on. Translation only: what a value means is the
 * component's checks' to say, which name each setting by its key here.
 */

export const CONFIG_NAMESPACE = "istio-mesh";

/**
 * Config of the providers this program configures: the kubernetes provider's settings (the
 * fields of @pulumi/kubernetes' ProviderArgs, plus its config-only `enableReplaceCRD` and
 * `strictMode`; a test keeps the list in step with the pinned package). The random provider
 * has no settings; other namespaces are not this program's to check.
 */
export const PROVIDER_CONFIG: Readonly<Record<string, readonly string[]>> = {
    kubernetes: KUBERNETES_SETTINGS,
};

/** A setting by its stack config key: the cluster's are the kubernetes provider's. */
export const configKey = (key: MeshKey): string =>
    key === "kubeconfig" ? "kubernetes:kubeconfig" : `${CONFIG_NAMESPACE}:${key}`;

export interface TranslatedConfig {
    readonly args: IstioMeshArgs;
    /** Values of the wrong form: each names its key. */
    readonly problems: readonly string[];
    /** Keys nobody reads: each names a key it is probably a typo of. */
    readonly unknown: readonly string[];
    /** The keys refused: their defaults stand in, and no check builds on them. */
    readonly refused: ReadonlySet<MeshKey>;
}

/**
 * Raw configuration (full keys, string values, as the CLI hands them over, `Pulumi.yaml`'s
 * defaults merged in) as arguments. A key whose value means its default is left out, so that
 * the component sees only what the stack sets: a default never has "no effect".
 */
export function translateStackConfig(raw: Readonly<Record<string, string>>): TranslatedConfig {
    let args: Record<string, unknown> = {};
    const problems: string[] = [];
    const refused = new Set<MeshKey>();
    for (const key of Object.keys(CONFIG_KEYS) as StackKey[]) {
        if (!(key in ARG_PATHS)) {
            // The program's own (multi-cluster.ts translates them).
            continue;
        }
        const declaration = CONFIG_KEYS[key];
        const text = raw[configKey(key)];
        if (text === undefined) {
            continue;
        }
        const parsed = parseWireValue(declaration, text);
        if ("problem" in parsed) {
            problems.push(`${configKey(key)}: ${parsed.problem}`);
            refused.add(key);
            continue;
        }
        const fallback = parseWireValue(declaration, wireForm(declaration.default)) as { value: unknown };
        if (JSON.stringify(parsed.value) !== JSON.stringify(fallback.value)) {
            args = withValueAt(args, ARG_PATHS[key], parsed.value);
        }
    }
    const kubernetes = providerSettings(raw);
    if (Object.keys(kubernetes).length > 0) {
        args = { ...args, cluster: { ...(args.cluster as object | undefined), ...kubernetes } };
    }
    const unknown = unknownKeys(raw, CONFIG_NAMESPACE, Object.keys(CONFIG_KEYS), PROVIDER_CONFIG);
    return { args: args as IstioMeshArgs, problems, unknown, refused };
}

export interface StackMesh {
    readonly args: IstioMeshArgs;
    readonly settings: MeshSettings;
    /** A mesh of several clusters, when `istio-mesh:clusters` names them: `args` are what they share. */
    readonly multiCluster?: Omit<IstioMultiClusterMeshArgs, "mesh">;
}

/**
 * The stack's arguments for `IstioMesh`, checked the way the component checks them, against
 * what the stack's last deployment ran (`last`): the program stops here, before anything is
 * registered, with one `MeshConfigError` that names every problem by its key. Given the
 * stack's name (`stack`, as the program knows it), it also refuses a stack that names no
 * cluster, unless it is a personal one (./cluster.ts).
 */
export function stackMesh(
    raw: Readonly<Record<string, string>>,
    last?: LastDeployment,
    stack?: string,
    lastClusters?: readonly string[],
): StackMesh {
    const { args, problems, unknown, refused } = translateStackConfig(raw);
    const several = multiClusterConfig(raw);
    // A mesh of several checks each cluster against its own record, not the stack's outputs.
    const resolved = resolveMeshSettings(args, {
        nameOf: configKey,
        refused,
        ...(several.args === undefined && { last }),
    });
    const cluster = stack === undefined || several.args !== undefined ? [] : clusterProblems(stack, raw);
    const topology = topologyProblems(raw, several.args !== undefined, last, lastClusters);
    const all = [...cluster, ...topology, ...problems, ...several.problems, ...resolved.problems, ...unknown];
    if (all.length > 0) {
        throw new MeshConfigError(all);
    }
    return {
        args,
        settings: resolved.settings,
        ...(several.args !== undefined && { multiCluster: several.args }),
    };
}

/** The settings a stack's raw configuration gives, or the `MeshConfigError` it gets. */
export function parseMeshSettings(raw: Readonly<Record<string, string>>, last?: LastDeployment): MeshSettings {
    return stackMesh(raw, last).settings;
}

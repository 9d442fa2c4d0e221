import { ARG_PATHS, MeshKey } from "./args/arg-paths";
import { SettingsChecker } from "./args/checker";
import type { IstioMeshArgs } from "./args/istio-mesh-args";
import { plainArguments } from "./args/plain-values";
import { readMeshSettings } from "./args/read-settings";
import { guardProblems, LastDeployment, lastCaptured, PlannedStep } from "./args/upgrade-guard";
import type { MeshSettings } from "./args/settings";
import { ambientWarnings } from "./args/ambient";
import { sizingChecks } from "./sizing/checks";

/**
 * Validate first, create second: every setting read and checked, then the checks that need
 * the sizing table and what ran last, every problem collected before any resource exists.
 * One function for the component and for the program: they differ only in how a message
 * names a setting. This layer sits above args/ and sizing/, so neither imports the other.
 */

/** The settings the sizing checks read: a problem with one of them would make those checks mislead. */
const SIZING_KEYS: readonly MeshKey[] = [
    "ambient",
    "nodes",
    "memory",
    "addons",
    "egressGateway",
    "memoryBudgetPercent",
    "resources",
    "replicas",
];

/** The settings a guard's message rests on, by the key it is reported under; the version keys' otherwise. */
const VERSION_GUARD_INPUTS: readonly MeshKey[] = [
    "istioVersion",
    "canaryVersion",
    "previousVersion",
    "unrevisionedVersion",
    "canaryNamespaces",
];
const NAMESPACE_GUARD_INPUTS: readonly MeshKey[] = [
    "ambient",
    "injectionNamespaces",
    "ambientNamespaces",
    "ambientReleasedNamespaces",
];
const GUARD_INPUTS: Partial<Record<MeshKey, readonly MeshKey[]>> = {
    ambient: ["ambient"],
    ambientNamespaces: NAMESPACE_GUARD_INPUTS,
    ambientReleasedNamespaces: NAMESPACE_GUARD_INPUTS,
};

/** The settings, or what is wrong with the arguments, and what deploys but likely not as meant. */
export interface ResolvedSettings {
    readonly settings: MeshSettings;
    readonly problems: readonly string[];
    readonly warnings: readonly string[];
}

export interface ResolveOptions {
    /**
     * How a message names a setting.
     * @default its argument path, e.g. `sizing.memory`
     */
    readonly nameOf?: (key: MeshKey) => string;
    /** Settings the caller refused already: checks that rest on them are skipped. */
    readonly refused?: Iterable<MeshKey>;
    /** What the last deployment applied; none for a first install. */
    readonly last?: LastDeployment;
    /**
     * Whether the consumer gives a Kubernetes provider of its own, whose connection the
     * component cannot read back: adopting then needs `cluster`'s settings.
     * @default false
     */
    readonly consumerProvider?: boolean;
}

/** What the upgrade guards read of the step the settings plan. */
export function plannedStep(settings: MeshSettings): PlannedStep {
    return {
        revisions: settings.revisions,
        ambient: settings.ambient !== undefined,
        injectionNamespaces: settings.injectionNamespaces,
        ambientNamespaces: settings.ambient?.namespaces ?? [],
        releasedNamespaces: settings.ambient?.releasedNamespaces ?? [],
    };
}

/** A setting by its argument path. */
export const argPath = (key: MeshKey): string => ARG_PATHS[key];

/**
 * Every setting of `args` read and checked, against what the last deployment applied
 * (`last`): an upgrade step must not delete an istiod proxies still use, nor turn ambient off
 * under pods it captures.
 */
export function resolveMeshSettings(given: IstioMeshArgs, options: ResolveOptions = {}): ResolvedSettings {
    const { args, problems: outputs } = plainArguments(given);
    const check = new SettingsChecker(args, options.nameOf ?? argPath, options.refused ?? []);
    const k = (key: MeshKey): string => check.key(key);
    const { last } = options;
    const deployedBefore = Object.keys(last?.controlPlanes ?? {}).length > 0;
    const settings = readMeshSettings(args, check, options.consumerProvider ?? false, deployedBefore);
    const planned = plannedStep(settings);
    for (const [key, message] of guardProblems(last, planned, k)) {
        // A setting already refused would make the guard speak of a value nobody wrote.
        if (!check.failed(...(GUARD_INPUTS[key] ?? VERSION_GUARD_INPUTS))) {
            check.problem(key, message);
        }
    }
    const captured = lastCaptured(last);
    const ambientKeys = {
        ambient: settings.ambient !== undefined,
        injectionNamespaces: settings.injectionNamespaces,
        ambientNamespaces: settings.ambient?.namespaces ?? [],
        waypointNamespaces: settings.ambient?.waypointNamespaces ?? [],
        ambientReleasedNamespaces: settings.ambient?.releasedNamespaces ?? [],
    };
    for (const [key, message] of ambientWarnings(ambientKeys, last && captured, k)) {
        check.warning(key, message);
    }
    // Other problems do not stop the sizing checks.
    if (!check.failed(...SIZING_KEYS)) {
        const sizing = sizingChecks(settings, k);
        sizing.problems.forEach(([key, message]) => check.problem(key, message));
        sizing.warnings.forEach(([key, message]) => check.warning(key, message));
    }
    return {
        settings: { ...settings, warnings: [...check.warnings] },
        problems: [...outputs, ...check.problems],
        warnings: [...check.warnings],
    };
}

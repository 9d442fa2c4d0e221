import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, MeshConfigError } from "./config/config-reader";
import { CONFIG_KEYS, CONFIG_NAMESPACE, MeshSettings, PROVIDER_CONFIG, readMeshSettings } from "./config/config";
import type { ConfigKey } from "./config/keys";
import { deletedIstiodProblems, LastDeployment, lastCaptured } from "./config/revisions";
import { sizingProblems } from "./sizing/checks";
import { ambientRemovalProblem, ambientWarnings } from "./config/ambient";

/**
 * Validate first, create second: every key read and checked, then the sizing checks, with
 * every problem collected into one error before any resource exists. This layer sits above
 * both config/ and sizing/, so neither imports the other's checks.
 */

/** The keys the sizing checks read: a problem with one of them would make those checks mislead. */
const SIZING_KEYS: readonly ConfigKey[] = [
    "ambient",
    "nodes",
    "memory",
    "addons",
    "egressGateway",
    "memoryBudgetPercent",
    "resources",
    "replicas",
];

/**
 * Parses and validates raw configuration (full keys, string values, as the CLI hands them
 * over), against what the stack's last deployment ran (`last`, none for a first install).
 * Throws one `MeshConfigError` listing every problem.
 */
export function parseMeshSettings(raw: Readonly<Record<string, string>>, last?: LastDeployment): MeshSettings {
    const config = new ConfigReader(CONFIG_NAMESPACE, CONFIG_KEYS, raw, PROVIDER_CONFIG);
    const settings = readMeshSettings(config, raw);
    if (!config.failed("istioVersion", "canaryVersion", "previousVersion", "unrevisionedVersion", "canaryNamespaces")) {
        for (const [key, message] of deletedIstiodProblems(last, settings.revisions, (name) => config.key(name))) {
            config.problem(key, message);
        }
    }
    const captured = lastCaptured(last);
    const cutOff = ambientRemovalProblem(settings.ambient !== undefined, captured, (name) => config.key(name));
    if (cutOff !== undefined && !config.failed("ambient")) {
        config.problem("ambient", cutOff);
    }
    const ambientKeys = {
        ambient: settings.ambient !== undefined,
        injectionNamespaces: settings.injectionNamespaces,
        ambientNamespaces: settings.ambient?.namespaces ?? [],
        waypointNamespaces: settings.ambient?.waypointNamespaces ?? [],
        ambientReleasedNamespaces: settings.ambient?.releasedNamespaces ?? [],
    };
    for (const [key, message] of ambientWarnings(ambientKeys, last && captured, (name) => config.key(name))) {
        config.warning(key, message);
    }
    // Other problems do not stop the sizing checks.
    if (!config.failed(...SIZING_KEYS)) {
        sizingProblems(settings).forEach(([key, message]) => config.problem(key, message));
    }
    config.reportUnknownKeys();
    if (config.problems.length > 0) {
        throw new MeshConfigError(config.problems);
    }
    return { ...settings, warnings: [...config.warnings] };
}

/** Reads this stack's configuration; call once, before creating any resource but the read of `last`. */
export function loadMeshSettings(last: LastDeployment | undefined): MeshSettings {
    return parseMeshSettings(pulumi.runtime.allConfig(), last);
}

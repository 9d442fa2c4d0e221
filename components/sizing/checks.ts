import { Component, COMPONENTS } from "../args/components";
import type { MeshSettings } from "../args/settings";
import type { MeshKey } from "../args/arg-paths";
import { idleComponents, idleOverride, overrideConflicts } from "../args/overrides";
import { budgetRefusal, deployedComponents } from "./budget";
import { planSizing, SizingPlan } from "./sizing";

/**
 * The checks that need the sizing table: overrides that contradict the plan, and the memory
 * budget, each problem with the key it is reported under; and, as warnings, overrides of a
 * component this environment does not deploy (kept while it is off, so that turning it on
 * again is one change).
 */
export function sizingChecks(
    settings: MeshSettings,
    k: (key: MeshKey) => string,
): { problems: [key: MeshKey, message: string][]; warnings: [key: MeshKey, message: string][] } {
    const plan = planSizing(settings);
    const problems = overrideProblems(settings, plan);
    const refusal = problems.length === 0 ? budgetRefusal(settings, plan, k) : undefined;
    return {
        problems: refusal === undefined ? problems : [...problems, ["memory", refusal]],
        warnings: idleOverrides(settings, plan, k),
    };
}

/** The components whose overrides apply: the deployed ones and the sidecar default. */
function deployedWithProxy(settings: MeshSettings, plan: SizingPlan): Component[] {
    return ["proxy", ...deployedComponents(plan, settings).map((d) => d.component)];
}

/** Overrides that contradict the plan, by key. */
function overrideProblems(settings: MeshSettings, plan: SizingPlan): [key: MeshKey, message: string][] {
    const deployed = deployedWithProxy(settings, plan);
    // An entry for a component that is not deployed is not checked against its sizes either.
    const conflicts = COMPONENTS.filter((component) => deployed.includes(component)).flatMap((component) => {
        const override = settings.resources[component];
        return override ? overrideConflicts(component, plan.sizes[component], override) : [];
    });
    return conflicts.map((message): [MeshKey, string] => ["resources", message]);
}

/** Overrides of a component that is not deployed, by key. */
function idleOverrides(
    settings: MeshSettings,
    plan: SizingPlan,
    k: (key: MeshKey) => string,
): [key: MeshKey, message: string][] {
    const deployed = deployedWithProxy(settings, plan);
    const idle = (key: "resources" | "replicas"): [MeshKey, string][] =>
        idleComponents(settings[key], deployed).map((component) => [key, idleOverride(component, k)]);
    return [...idle("resources"), ...idle("replicas")];
}

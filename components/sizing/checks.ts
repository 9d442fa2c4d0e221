import { COMPONENTS } from "../config/components";
import type { MeshSettings } from "../config/config";
import { idleComponents, idleOverride, overrideConflicts } from "../config/overrides";
import { budgetRefusal, deployedComponents } from "./budget";
import { planSizing, SizingPlan } from "./sizing";

/**
 * The checks that need the sizing table: overrides that contradict the plan or name a
 * component that is not deployed, and the memory budget. Each problem comes with the key
 * it is reported under.
 */
export function sizingProblems(settings: MeshSettings): [key: string, message: string][] {
    const plan = planSizing(settings);
    const problems = overrideProblems(settings, plan);
    const refusal = problems.length === 0 ? budgetRefusal(settings, plan) : undefined;
    return refusal === undefined ? problems : [...problems, ["memory", refusal]];
}

/** Overrides that contradict the plan or name a component that is not deployed, by key. */
function overrideProblems(settings: MeshSettings, plan: SizingPlan): [key: string, message: string][] {
    const deployed = ["proxy" as const, ...deployedComponents(plan, settings).map((d) => d.component)];
    // An entry for a component that is not deployed is one mistake: its sizes are not checked too.
    const conflicts = COMPONENTS.filter((component) => deployed.includes(component)).flatMap((component) => {
        const override = settings.resources[component];
        return override ? overrideConflicts(component, plan.sizes[component], override) : [];
    });
    const idle = (key: "resources" | "replicas"): [string, string][] =>
        idleComponents(settings[key], deployed).map((component) => [key, idleOverride(component)]);
    return [
        ...conflicts.map((message): [string, string] => ["resources", message]),
        ...idle("resources"),
        ...idle("replicas"),
    ];
}

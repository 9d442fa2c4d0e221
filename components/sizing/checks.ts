import { COMPONENTS } from "../args/components";
import type { MeshSettings } from "../args/settings";
import type { MeshKey } from "../args/arg-paths";
import { idleComponents, idleOverride, overrideConflicts } from "../args/overrides";
import { budgetRefusal, deployedComponents } from "./budget";
import { planSizing, SizingPlan } from "./sizing";

/**
 * The checks that need the sizing table: overrides that contradict the plan or name a
 * component that is not deployed, and the memory budget. Each problem comes with the key
 * it is reported under.
 */
export function sizingProblems(settings: MeshSettings, k: (key: MeshKey) => string): [key: MeshKey, message: string][] {
    const plan = planSizing(settings);
    const problems = overrideProblems(settings, plan, k);
    const refusal = problems.length === 0 ? budgetRefusal(settings, plan, k) : undefined;
    return refusal === undefined ? problems : [...problems, ["memory", refusal]];
}

/** Overrides that contradict the plan or name a component that is not deployed, by key. */
function overrideProblems(
    settings: MeshSettings,
    plan: SizingPlan,
    k: (key: MeshKey) => string,
): [key: MeshKey, message: string][] {
    const deployed = ["proxy" as const, ...deployedComponents(plan, settings).map((d) => d.component)];
    // An entry for a component that is not deployed is one mistake: its sizes are not checked too.
    const conflicts = COMPONENTS.filter((component) => deployed.includes(component)).flatMap((component) => {
        const override = settings.resources[component];
        return override ? overrideConflicts(component, plan.sizes[component], override) : [];
    });
    const idle = (key: "resources" | "replicas"): [MeshKey, string][] =>
        idleComponents(settings[key], deployed).map((component) => [key, idleOverride(component, k)]);
    return [
        ...conflicts.map((message): [MeshKey, string] => ["resources", message]),
        ...idle("resources"),
        ...idle("replicas"),
    ];
}

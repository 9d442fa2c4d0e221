import { previousStep, UpgradeStep } from "../support/upgrade-flow";

/** The application namespace the flows start with: the cluster state the test sets up, as `kubectl create namespace shop` would. */
export const SHOP = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } };

/** Each path from the flow's first step to one that no step follows. */
export function paths(steps: readonly UpgradeStep[]): UpgradeStep[][] {
    const followed = new Set(steps.map((step) => step.after));
    return steps
        .filter((step) => !followed.has(step.id))
        .map((last) => {
            const path = [last];
            for (let step = previousStep(last); step !== undefined; step = previousStep(step)) path.unshift(step);
            return path;
        });
}

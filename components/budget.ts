import type { Addon, MeshSettings } from "./config";
import { GI } from "./quantity";
import { Component, planSizing, Scaling, SINGLE, SizingPlan } from "./sizing";

/**
 * The memory budget check: the requests of everything this program deploys must fit in
 * the share of the cluster the environment may take. Sidecars are per workload, so they
 * are reported apart and not counted.
 */

export interface BudgetLine {
    component: Component;
    replicas: number;
    /** MiB requested by all replicas together. */
    requestMi: number;
}

export interface Budget {
    lines: readonly BudgetLine[];
    totalMi: number;
    budgetMi: number;
}

/** A component this program deploys, and how many of it run. */
export interface Deployed {
    component: Component;
    scaling: Scaling;
}

/** Every workload the program deploys for these settings, in the order of `COMPONENTS`. */
export function deployedComponents(plan: SizingPlan, addons: readonly Addon[], egressGateway: boolean): Deployed[] {
    return [
        { component: "istiod", scaling: plan.controlPlane },
        { component: "ingressGateway", scaling: plan.gateways },
        ...(egressGateway ? [{ component: "egressGateway" as const, scaling: plan.gateways }] : []),
        ...addons.map((addon) => ({ component: addon, scaling: SINGLE })),
    ];
}

/** Replicas the scheduler must fit at all times: an autoscaler's minimum. */
export function guaranteedReplicas(scaling: Scaling): number {
    return scaling.autoscale?.min ?? scaling.replicas;
}

export function memoryBudget(plan: SizingPlan, addons: readonly Addon[], egressGateway: boolean, memoryBytes: number, percent: number): Budget {
    const lines = deployedComponents(plan, addons, egressGateway).map(({ component, scaling }): BudgetLine => {
        const replicas = guaranteedReplicas(scaling);
        return { component, replicas, requestMi: replicas * plan.sizes[component].memoryRequest };
    });
    return {
        lines,
        totalMi: lines.reduce((sum, line) => sum + line.requestMi, 0),
        budgetMi: Math.floor((memoryBytes / 2 ** 20) * (percent / 100)),
    };
}

/**
 * The smallest whole-Gi cluster these components fit, or undefined if none up to `maxGi`
 * does. Searched, not divided out: a bigger cluster moves to a bigger tier, whose larger
 * sizes may need more memory again.
 */
export function smallestFittingGi(
    settings: Pick<MeshSettings, "addons" | "egressGateway" | "memoryBudgetPercent" | "resources">,
    maxGi: number,
): number | undefined {
    for (let gi = 1; gi <= maxGi; gi++) {
        const memory = { quantity: `${gi}Gi`, bytes: gi * GI };
        const budget = memoryBudget(planSizing({ memory, resources: settings.resources }), settings.addons, settings.egressGateway, memory.bytes, settings.memoryBudgetPercent);
        if (budget.totalMi <= budget.budgetMi) {
            return gi;
        }
    }
    return undefined;
}

/** The refusal of a budget that does not fit: every component's request, the total, the budget and what to change. */
export function budgetProblem(
    budget: Budget,
    remedies: { addons: readonly Addon[]; percent: number; needGi: number | undefined; overridden: readonly Component[] },
): string {
    const { addons, percent, needGi } = remedies;
    const table = budget.lines.map((line) => `      ${line.component.padEnd(16)} ${String(line.replicas).padStart(2)} x  ${String(line.requestMi).padStart(5)}Mi`);
    const counted = (component: Component): boolean => budget.lines.some((line) => line.component === component);
    const overridden = remedies.overridden.filter(counted);
    const addonMi = budget.lines.filter((line) => (addons as readonly string[]).includes(line.component)).sort((a, b) => b.requestMi - a.requestMi);
    const remedyList = [
        ...(overridden.length > 0 ? [`lower istio-mesh:resources (set for ${overridden.join(", ")})`] : []),
        ...(addonMi.length > 0 ? [`disable add-ons (largest first: ${addonMi.map((l) => `${l.component} ${l.requestMi}Mi`).join(", ")})`] : []),
        ...(needGi !== undefined ? [`give the cluster at least ${needGi}Gi (istio-mesh:memory)`] : []),
        "raise istio-mesh:memoryBudgetPercent",
    ];
    return [
        `the components request ${budget.totalMi}Mi of memory, over the budget of ${budget.budgetMi}Mi (${percent}% of istio-mesh:memory):`,
        ...table,
        `      ${"total".padEnd(16)}       ${String(budget.totalMi).padStart(5)}Mi`,
        `    ${remedyList.join(", or ")}`,
    ].join("\n");
}

import { Addon, ADDONS, isSelfContained } from "../args/addons";
import type { MeshSettings } from "../args/settings";
import type { MeshKey } from "../args/arg-paths";
import { GI, MI } from "../args/quantity";
import { overrideConflicts } from "../args/overrides";
import { Component, COMPONENTS, Scaling } from "../args/components";
import { allRevisions } from "../args/revisions";
import { planSizing, SINGLE, SizingPlan } from "./sizing";

/**
 * The memory budget check: the requests of everything this program deploys must fit in
 * the share of the cluster the environment may take. Sidecars are per workload, so they
 * are reported apart and not counted.
 */

/** The settings the budget depends on. */
export type BudgetSettings = Pick<
    MeshSettings,
    | "memory"
    | "addons"
    | "egressGateway"
    | "revisions"
    | "memoryBudgetPercent"
    | "resources"
    | "replicas"
    | "ambient"
    | "nodes"
    | "existingPrometheus"
    | "sampleApp"
>;

export interface BudgetLine {
    component: Component;
    /** The component, and for istiod how many revisions run: `istiod (2 revisions)`. */
    label: string;
    /** Pods of all revisions together. */
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
    /** The component, and for istiod how many revisions run. */
    label: string;
    /** Per revision for istiod: each revision is sized and scaled alike. */
    scaling: Scaling;
    /** Copies of the whole workload: one per istiod revision, one per node for a DaemonSet, else 1. */
    copies: number;
}

/** The DaemonSets of these settings, one pod on every node: ambient's two, or a sidecar mesh's CNI agent. */
function nodeAgents(settings: Pick<MeshSettings, "ambient" | "sidecarCni">): readonly Component[] {
    if (settings.ambient !== undefined) {
        return ["ztunnel", "cni"];
    }
    return settings.sidecarCni === undefined ? [] : ["cni"];
}

/** The sample application's pods: a client, a frontend and a backend, one container each. */
export const SAMPLE_APP_PODS = 3;

/** Every workload the program deploys for these settings, in the order of `COMPONENTS`. */
export function deployedComponents(
    plan: SizingPlan,
    settings: Pick<
        MeshSettings,
        "addons" | "egressGateway" | "revisions" | "ambient" | "sidecarCni" | "nodes" | "sampleApp"
    >,
): Deployed[] {
    // A canary or a previous revision is a whole second istiod, with the same size and scaling.
    const revisions = allRevisions(settings.revisions).length;
    const one = (component: Component, scaling: Scaling): Deployed => ({
        component,
        label: component,
        scaling,
        copies: 1,
    });
    return [
        {
            component: "istiod",
            label: revisions > 1 ? `istiod (${revisions} revisions)` : "istiod",
            scaling: plan.scaling.istiod,
            copies: revisions,
        },
        one("ingressGateway", plan.scaling.ingressGateway),
        ...(settings.egressGateway ? [one("egressGateway", plan.scaling.egressGateway)] : []),
        ...settings.addons.map((addon): Deployed => one(addon, SINGLE)),
        ...nodeAgents(settings).map(
            (component): Deployed => ({
                component,
                label: `${component} (${settings.nodes} node${settings.nodes === 1 ? "" : "s"})`,
                scaling: SINGLE,
                copies: settings.nodes,
            }),
        ),
        ...(settings.sampleApp
            ? [
                  {
                      component: "sampleApp" as const,
                      label: `sampleApp (${SAMPLE_APP_PODS} pods)`,
                      scaling: SINGLE,
                      copies: SAMPLE_APP_PODS,
                  },
              ]
            : []),
    ];
}

/**
 * What an ambient namespace saves against sidecars, from the proxy row: its pods run no
 * sidecar, so each saves the proxy's request, while ztunnel is paid once per node.
 */
export function ambientSaving(plan: SizingPlan, settings: Pick<MeshSettings, "ambient">): string | undefined {
    const proxy = plan.sizes.proxy;
    return settings.ambient === undefined
        ? undefined
        : `a pod in an ambient namespace runs no sidecar: it saves the proxy row's ${proxy.memoryRequest}Mi request (${proxy.cpuRequest}m CPU), while ztunnel is paid once per node`;
}

/** MiB the per-node DaemonSets request on each node; 0 without any. */
export function perNodeRequestMi(plan: SizingPlan, settings: Pick<MeshSettings, "ambient" | "sidecarCni">): number {
    return nodeAgents(settings).reduce((sum, c) => sum + plan.sizes[c].memoryRequest, 0);
}

/** Replicas the scheduler must fit at all times: an autoscaler's minimum. */
function guaranteedReplicas(scaling: Scaling): number {
    return scaling.autoscale?.min ?? scaling.replicas;
}

export function memoryBudget(settings: BudgetSettings, plan: SizingPlan = planSizing(settings)): Budget {
    const lines = deployedComponents(plan, settings).map(({ component, label, scaling, copies }): BudgetLine => {
        const replicas = copies * guaranteedReplicas(scaling);
        return { component, label, replicas, requestMi: replicas * plan.sizes[component].memoryRequest };
    });
    return {
        lines,
        totalMi: lines.reduce((sum, line) => sum + line.requestMi, 0),
        budgetMi: Math.floor((settings.memory.bytes / MI) * (settings.memoryBudgetPercent / 100)),
    };
}

const fits = (budget: Budget): boolean => budget.totalMi <= budget.budgetMi;

/**
 * The remedy when the per-node agents are what does not fit: the same memory on fewer nodes
 * (fewer, bigger nodes) fits, and says at most how many.
 */
function fewerNodes(settings: BudgetSettings, plan: SizingPlan, k: (key: MeshKey) => string): string[] {
    if (nodeAgents(settings).length === 0 || settings.nodes === 1) {
        return [];
    }
    const most = [...Array(settings.nodes - 1).keys()]
        .map((i) => settings.nodes - 1 - i)
        .find((nodes) => fits(memoryBudget({ ...settings, nodes }, plan)));
    const perNode = perNodeRequestMi(plan, settings);
    return most === undefined
        ? []
        : [
              `spread this memory over at most ${most} nodes (${k("nodes")} is ${settings.nodes}): ztunnel and the CNI agent request ${perNode}Mi on every node`,
          ];
}

/**
 * The next whole-Gi cluster, above the current one, that these components fit, or
 * undefined if none up to `maxGi` does. Searched, not divided out: a bigger cluster moves
 * to a bigger tier, whose larger sizes may need more memory again, or may clash with an
 * override (a limit set below the bigger tier's request), which would be refused too.
 */
function nextFittingGi(settings: BudgetSettings, maxGi: number): number | undefined {
    for (let gi = Math.floor(settings.memory.bytes / GI) + 1; gi <= maxGi; gi++) {
        const bigger = { ...settings, memory: { quantity: `${gi}Gi`, bytes: gi * GI } };
        const plan = planSizing(bigger);
        const clashes = COMPONENTS.some(
            (c) => overrideConflicts(c, plan.sizes[c], settings.resources[c] ?? {}).length > 0,
        );
        if (!clashes && fits(memoryBudget(bigger, plan))) {
            return gi;
        }
    }
    return undefined;
}

/**
 * The add-ons to keep so that the rest fits: as many as possible, then as much of them as
 * possible, never one without an add-on it needs. Undefined when even none fits.
 */
function fittingAddons(settings: BudgetSettings): Addon[] | undefined {
    const subsets = settings.addons.reduce<Addon[][]>((all, addon) => [...all, ...all.map((s) => [...s, addon])], [[]]);
    const candidates = subsets
        .filter((kept) => isSelfContained(kept, settings.existingPrometheus !== undefined))
        .map((kept) => ({ kept, budget: memoryBudget({ ...settings, addons: kept }) }))
        .filter(({ budget }) => fits(budget))
        .sort((a, b) => b.kept.length - a.kept.length || b.budget.totalMi - a.budget.totalMi);
    return candidates[0]?.kept.sort((a, b) => ADDONS.indexOf(a) - ADDONS.indexOf(b));
}

/** The refusal of a configuration over its budget, or undefined when it fits. */
export function budgetRefusal(
    settings: BudgetSettings,
    plan: SizingPlan,
    k: (key: MeshKey) => string,
    maxGi = 1024,
): string | undefined {
    const budget = memoryBudget(settings, plan);
    if (fits(budget)) {
        return undefined;
    }
    const percent = settings.memoryBudgetPercent;
    const width = Math.max(18, ...budget.lines.map((line) => line.label.length));
    const row = (label: string, replicas: string, mi: string): string =>
        `      ${label.padEnd(width)} ${replicas.padStart(2)}    ${mi.padStart(7)}`;
    const counted = (c: Component): boolean => budget.lines.some((l) => l.component === c);
    const sized = COMPONENTS.filter((c) => settings.resources[c] !== undefined && counted(c));
    const scaled = COMPONENTS.filter((c) => c in settings.replicas && counted(c));
    const kept = fittingAddons(settings);
    const dropped = kept === undefined ? [] : settings.addons.filter((addon) => !kept.includes(addon));
    const nextGi = nextFittingGi(settings, maxGi);
    const neededPercent = Math.ceil((budget.totalMi * 100) / (settings.memory.bytes / MI));
    const remedies = [
        // Three istiods are a promotion not yet retired overlapping with the next canary.
        ...(settings.revisions.previous !== undefined && settings.revisions.canary !== undefined
            ? [`retire the previous control plane before starting the canary (remove ${k("previousVersion")})`]
            : []),
        ...(sized.length > 0 ? [`lower ${k("resources")} (set for ${sized.join(", ")})`] : []),
        ...(scaled.length > 0 ? [`lower ${k("replicas")} (set for ${scaled.join(", ")})`] : []),
        ...(dropped.length > 0 ? [`disable ${dropped.join(", ")} (${k("addons")}: [${(kept ?? []).join(", ")}])`] : []),
        ...(nextGi !== undefined ? [`give the cluster ${nextGi}Gi (${k("memory")}), the next size that fits`] : []),
        ...(neededPercent <= 90 ? [`raise ${k("memoryBudgetPercent")} to ${neededPercent}`] : []),
        ...fewerNodes(settings, plan, k),
    ];
    return [
        `the components request ${budget.totalMi}Mi of memory, over the budget of ${budget.budgetMi}Mi (${percent}% of ${k("memory")}):`,
        ...budget.lines.map((line) => row(line.label, `${line.replicas}x`, `${line.requestMi}Mi`)),
        row("total", "", `${budget.totalMi}Mi`),
        row("proxy (per pod)", "", `${plan.sizes.proxy.memoryRequest}Mi`) + "  per workload pod, not counted",
        ...(ambientSaving(plan, settings) === undefined ? [] : [`    ${ambientSaving(plan, settings)}`]),
        `    To fit: ${remedies.join("; or ")}`,
    ].join("\n");
}

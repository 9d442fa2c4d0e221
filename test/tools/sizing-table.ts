import { ambientSaving, deployedComponents, memoryBudget } from "../../components/sizing/budget";
import { MeshSettings } from "../../components/args/settings";
import { planSizing } from "../../components/sizing/sizing";
import { Component, Scaling, Size } from "../../components/args/components";

/**
 * The sizing of one environment as a table: what `npm run plan` prints, what a PR comment
 * shows (`--markdown`) and what each plan snapshot starts with.
 */

const HEADINGS = ["component", "replicas", "cpu request", "cpu limit", "memory request", "memory limit", "requested"];

export interface SizingTable {
    /** One line: memory, tier and budget. */
    summary: string;
    rows: string[][];
    /** One line: the total against the budget (config validation refuses one that does not fit). */
    total: string;
}

function replicasText(scaling: Scaling, overridden: boolean): string {
    const text = scaling.autoscale
        ? `${scaling.autoscale.min}-${scaling.autoscale.max} (HPA)`
        : String(scaling.replicas);
    return overridden ? `${text}*` : text;
}

export function sizingTable(settings: MeshSettings): SizingTable {
    const plan = planSizing(settings);
    const percent = settings.memoryBudgetPercent;
    const budget = memoryBudget(settings, plan);
    const row = (component: Component, label: string, replicas: string, requested: string): string[] => {
        const size = plan.sizes[component];
        const override = settings.resources[component] ?? {};
        const cell = (field: keyof Size, unit: string): string =>
            `${size[field]}${unit}${field in override ? "*" : ""}`;
        return [
            label,
            replicas,
            cell("cpuRequest", "m"),
            cell("cpuLimit", "m"),
            cell("memoryRequest", "Mi"),
            cell("memoryLimit", "Mi"),
            requested,
        ];
    };
    const requested = new Map(budget.lines.map((line) => [line.component, `${line.requestMi}Mi`]));
    const rows = deployedComponents(plan, settings).map(({ component, label, scaling }) =>
        row(component, label, replicasText(scaling, component in settings.replicas), requested.get(component) ?? "-"),
    );
    const saving = ambientSaving(plan, settings);
    // Sidecars are per workload pod: shown for reference, never counted.
    rows.push(row("proxy", "proxy (per pod)", "-", "-"));
    const overridden = rows.some((cells) => cells.some((cell) => cell.endsWith("*")))
        ? " (* set in istio-mesh:resources or istio-mesh:replicas)"
        : "";
    return {
        summary: `memory ${settings.memory.quantity}, tier ${plan.tier}, budget ${budget.budgetMi}Mi (${percent}% of memory)`,
        rows,
        total: [
            `total requested ${budget.totalMi}Mi of the ${budget.budgetMi}Mi budget; sidecars are per pod and not counted${overridden}`,
            ...(saving === undefined ? [] : [`; ${saving}`]),
        ].join(""),
    };
}

export function formatText(table: SizingTable): string {
    const all = [HEADINGS, ...table.rows];
    const widths = HEADINGS.map((_, column) => Math.max(...all.map((cells) => cells[column].length)));
    const line = (cells: string[]): string =>
        cells
            .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
            .join("  ")
            .trimEnd();
    return [table.summary, "", ...all.map(line), table.total, ""].join("\n");
}

export function formatMarkdown(table: SizingTable): string {
    const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
    return [
        table.summary,
        "",
        line(HEADINGS),
        line(HEADINGS.map((_, column) => (column === 0 ? "---" : "---:"))),
        ...table.rows.map(line),
        "",
        `**${table.total}**`,
        "",
    ].join("\n");
}

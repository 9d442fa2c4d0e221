import type * as pulumi from "@pulumi/pulumi";
import type { ChartValues } from "../args/chart-values";

/**
 * How `chartValues` meets the values the mesh computes: merged last, the way Helm merges a
 * values file over a chart's defaults. Maps are merged key by key; a list, a single value or
 * null replaces what is there (null then makes Helm drop the key, back to the chart's
 * default). Every chart goes through it once, in `pinnedChart` (components/chart.ts).
 */

/** A map as YAML writes one: not a list, not null, and no Output or other object of a class. */
function isPlainMap(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return false;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    return prototype === Object.prototype || prototype === null;
}

/** `override` merged over `computed`; neither is changed. */
export function mergeValues(computed: pulumi.Inputs, override: ChartValues | undefined): pulumi.Inputs {
    if (override === undefined) {
        return computed;
    }
    const merged: Record<string, unknown> = { ...computed };
    for (const [key, value] of Object.entries(override)) {
        const current = merged[key];
        merged[key] = isPlainMap(current) && isPlainMap(value) ? mergeValues(current, value) : value;
    }
    return merged;
}

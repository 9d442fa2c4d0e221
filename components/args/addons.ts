/** The telemetry add-ons, in canonical order, and which needs which. */

export const ADDONS = ["prometheus", "grafana", "jaeger", "kiali"] as const;
export type Addon = (typeof ADDONS)[number];

/** Add-ons that cannot work without another one, and why. */
export const ADDON_NEEDS: Partial<Record<Addon, { needs: Addon; why: string }>> = {
    grafana: { needs: "prometheus", why: "its datasource and every Istio dashboard read Prometheus" },
    kiali: { needs: "prometheus", why: "its graph and health come from Prometheus metrics" },
};

/**
 * Whether every add-on in `addons` has the add-ons it needs; an existing Prometheus stands
 * in for the bundled one.
 */
export function isSelfContained(addons: readonly Addon[], existingPrometheus = false): boolean {
    return addons.every((addon) => {
        const need = ADDON_NEEDS[addon];
        return need === undefined || addons.includes(need.needs) || (need.needs === "prometheus" && existingPrometheus);
    });
}

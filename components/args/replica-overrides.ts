import { closest, show } from "./text";
import type { Scaling } from "./components";

/**
 * `istio-mesh:replicas`: replica counts that win over the tier's. A number runs that many
 * pods; `{ min, max }` autoscales between them. Only istiod and the gateways scale out:
 * the add-ons keep their state in their one pod (Prometheus' TSDB, Jaeger's memory store,
 * Grafana's database), so a second replica would split it.
 *
 *     istio-mesh:replicas:
 *       istiod: 2
 *       ingressGateway: { min: 2, max: 6 }
 */

export const SCALED_COMPONENTS = ["istiod", "ingressGateway", "egressGateway"] as const;
export type ScaledComponent = (typeof SCALED_COMPONENTS)[number];

export type ReplicaOverrides = Readonly<Partial<Record<ScaledComponent, Scaling>>>;

const MAX_REPLICAS = 20;
const EXAMPLE = "e.g. 2, or { min: 2, max: 5 } to autoscale";

const isCount = (value: unknown): value is number =>
    Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_REPLICAS;

/**
 * A fixed count or an autoscaling range as the charts' scaling. A PodDisruptionBudget comes
 * with two or more guaranteed pods: over one it would block every node drain.
 */
function scalingOf(value: unknown): Scaling | string {
    if (isCount(value)) {
        return { replicas: value, podDisruptionBudget: value >= 2 };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return `${show(value)} is not a replica count from 1 to ${MAX_REPLICAS}; ${EXAMPLE}`;
    }
    const range = value as Record<string, unknown>;
    const extra = Object.keys(range).filter((key) => key !== "min" && key !== "max");
    if (extra.length > 0 || !isCount(range.min) || !isCount(range.max) || range.min > range.max) {
        return `${show(value)} is not an autoscaling range; give whole numbers 1 <= min <= max <= ${MAX_REPLICAS}, ${EXAMPLE}`;
    }
    return { replicas: range.min, autoscale: { min: range.min, max: range.max }, podDisruptionBudget: range.min >= 2 };
}

/** Checks the raw `replicas` map; every problem goes to `report`, only good entries come back. */
export function parseReplicaOverrides(
    raw: Readonly<Record<string, unknown>>,
    report: (message: string) => void,
): ReplicaOverrides {
    const overrides: Partial<Record<ScaledComponent, Scaling>> = {};
    for (const name of Object.keys(raw).sort()) {
        if (!(SCALED_COMPONENTS as readonly string[]).includes(name)) {
            const nearest = closest(name, SCALED_COMPONENTS);
            const hint = nearest === undefined ? "" : ` Did you mean ${show(nearest)}?`;
            report(
                `${show(name)} cannot be scaled.${hint} Only ${SCALED_COMPONENTS.join(", ")} run more than one replica`,
            );
            continue;
        }
        const scaling = scalingOf(raw[name]);
        if (typeof scaling === "string") {
            report(`${name}: ${scaling}`);
        } else {
            overrides[name as ScaledComponent] = scaling;
        }
    }
    return overrides;
}

import { closest, show } from "./text";
import { MI, parseQuantity } from "./quantity";
import { Component, COMPONENTS, Size } from "./components";
import type { MeshKey } from "./arg-paths";

/**
 * `sizing.resources` (`istio-mesh:resources`): per-component requests and limits that win
 * over the sizing table. Each entry is written like a container's `resources`, and any field left out
 * keeps its computed value:
 *
 *     istio-mesh:resources:
 *       prometheus:
 *         requests: { memory: 1Gi }
 *         limits: { cpu: "2", memory: 2Gi }
 */

type SizeOverride = Partial<Size>;
export type Overrides = Readonly<Partial<Record<Component, SizeOverride>>>;

const SECTIONS = ["requests", "limits"] as const;
const RESOURCES = ["cpu", "memory"] as const;
type Section = (typeof SECTIONS)[number];
type Resource = (typeof RESOURCES)[number];

const FIELD: Record<Section, Record<Resource, keyof Size>> = {
    requests: { cpu: "cpuRequest", memory: "memoryRequest" },
    limits: { cpu: "cpuLimit", memory: "memoryLimit" },
};

const EXAMPLE = 'e.g. { requests: { cpu: 100m, memory: 256Mi }, limits: { cpu: "1", memory: 512Mi } }';

function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A CPU quantity in whole millicores, or a memory quantity in whole MiB: the units every
 * size here is kept in, so that budgets add up exactly.
 */
function parseAmount(resource: Resource, value: unknown): number | string {
    const text = typeof value === "number" ? String(value) : value;
    const amount = typeof text === "string" ? parseQuantity(text) : undefined;
    if (amount === undefined || amount <= 0) {
        return `${show(value)} is not a positive Kubernetes quantity; use e.g. ${resource === "cpu" ? '250m or "1"' : "256Mi or 1Gi"}`;
    }
    const scaled = resource === "cpu" ? amount * 1000 : amount / MI;
    if (!Number.isInteger(Math.round(scaled * 1e6) / 1e6)) {
        return resource === "cpu"
            ? `${show(value)} is not a whole number of millicores; use e.g. 250m`
            : `${show(value)} is not a whole number of MiB; write memory in Mi or Gi, e.g. 256Mi`;
    }
    return Math.round(scaled);
}

/**
 * Checks the raw `resources` map; every problem goes to `report` as a message about the
 * key, and only well-formed entries are returned.
 */
export function parseOverrides(raw: Readonly<Record<string, unknown>>, report: (message: string) => void): Overrides {
    const overrides: Partial<Record<Component, SizeOverride>> = {};
    for (const name of Object.keys(raw).sort()) {
        const entry = raw[name];
        if (!(COMPONENTS as readonly string[]).includes(name)) {
            const nearest = closest(name, COMPONENTS);
            const hint = nearest === undefined ? "" : ` Did you mean ${show(nearest)}?`;
            report(`${show(name)} is not a component.${hint} Use any of ${COMPONENTS.join(", ")}`);
            continue;
        }
        if (!isMap(entry)) {
            report(`${name}: ${show(entry)} is not a map of requests and limits; ${EXAMPLE}`);
            continue;
        }
        const override: { -readonly [K in keyof Size]?: number } = {};
        let ok = true;
        const fail = (message: string): void => {
            report(message);
            ok = false;
        };
        for (const section of Object.keys(entry).sort()) {
            const amounts = entry[section];
            if (!(SECTIONS as readonly string[]).includes(section)) {
                fail(`${name}.${section} is not a field; use requests and limits, ${EXAMPLE}`);
            } else if (!isMap(amounts)) {
                fail(`${name}.${section}: ${show(amounts)} is not a map of cpu and memory; ${EXAMPLE}`);
            } else {
                for (const resource of Object.keys(amounts).sort()) {
                    if (!(RESOURCES as readonly string[]).includes(resource)) {
                        fail(`${name}.${section}.${resource} is not a field; set cpu and memory only`);
                        continue;
                    }
                    const amount = parseAmount(resource as Resource, amounts[resource]);
                    if (typeof amount === "string") {
                        fail(`${name}.${section}.${resource}: ${amount}`);
                    } else {
                        override[FIELD[section as Section][resource as Resource]] = amount;
                    }
                }
            }
        }
        if (ok) {
            overrides[name as Component] = override;
        }
    }
    return overrides;
}

/**
 * A request above its limit is rejected by the API server; catch it here, where the
 * message can say which half was overridden.
 */
export function overrideConflicts(component: Component, size: Size, override: SizeOverride): string[] {
    const conflicts: string[] = [];
    const check = (resource: Resource, request: number, limit: number, unit: string): void => {
        if (request > limit) {
            const source = (field: keyof Size): string => (field in override ? "set" : "computed");
            const [requestField, limitField] = [FIELD.requests[resource], FIELD.limits[resource]];
            conflicts.push(
                `${component}: requests.${resource} ${request}${unit} (${source(requestField)}) is above limits.${resource} ${limit}${unit} (${source(limitField)}); ` +
                    `set ${component}.limits.${resource} to at least ${request}${unit}, or lower the request`,
            );
        }
    };
    check("cpu", size.cpuRequest, size.cpuLimit, "m");
    check("memory", size.memoryRequest, size.memoryLimit, "Mi");
    return conflicts;
}

/** The setting that decides whether a component that may be left out is deployed, and why it is not. */
function deployedBy(component: Component, k: (key: MeshKey) => string): string {
    if (component === "egressGateway") {
        return `${k("egressGateway")} is false`;
    }
    if (component === "ztunnel" || component === "cni") {
        return `${k("ambient")} is false`;
    }
    if (component === "sampleApp") {
        return `${k("sampleApp")} is false`;
    }
    return `${component} is not in ${k("addons")}`;
}

/** Components with an override that this environment does not deploy: left for when they are on again. */
export function idleComponents(
    overrides: Readonly<Partial<Record<Component, unknown>>>,
    deployed: readonly Component[],
): Component[] {
    return COMPONENTS.filter((component) => overrides[component] !== undefined && !deployed.includes(component));
}

/** The warning for an override of a component that is not deployed: it applies once the component is. */
export function idleOverride(component: Component, k: (key: MeshKey) => string): string {
    return `the ${component} entry has no effect here: ${deployedBy(component, k)}, so ${component} is not deployed; the entry applies once it is deployed again. Keep it for then, or remove it to silence this warning`;
}

import { KubeClient, ManagedFieldsEntry } from "./client";
import { Deployable } from "./deployables";

/**
 * Which fields of a live object more than one applier owns. Server-side apply lets two
 * managers share a field while they apply the same value; the first time one of them
 * changes it without force, the apply fails with a conflict, and with force the other
 * silently loses it. Either way an object the program deploys should have one owner per
 * field. Only Apply entries count: the server's own updates (a CRD's status, a Service's
 * cluster IP) are not an applier's.
 */

/**
 * The paths a managedFields `fieldsV1` tree names, one per owned field: `f:spec.f:ports.k:{...}`.
 * A `.` key marks the node itself as owned (a map or list entry that exists).
 */
export function ownedPaths(tree: Record<string, unknown>, prefix = ""): string[] {
    const paths: string[] = [];
    for (const [key, child] of Object.entries(tree)) {
        if (key === ".") {
            paths.push(prefix === "" ? "." : prefix);
            continue;
        }
        const path = prefix === "" ? key : `${prefix}.${key}`;
        const children = child as Record<string, unknown>;
        if (Object.keys(children).length === 0) paths.push(path);
        else paths.push(...ownedPaths(children, path));
    }
    return paths;
}

/** `path: manager, manager` for each field two Apply entries own. */
export function sharedFields(entries: readonly ManagedFieldsEntry[]): string[] {
    const owners = new Map<string, string[]>();
    for (const entry of entries.filter((e) => e.operation === "Apply" && e.fieldsV1 !== undefined)) {
        for (const path of ownedPaths(entry.fieldsV1 as Record<string, unknown>)) {
            owners.set(path, [...(owners.get(path) ?? []), entry.manager]);
        }
    }
    return [...owners.entries()]
        .filter(([, managers]) => new Set(managers).size > 1)
        .map(([path, managers]) => `${path}: ${[...new Set(managers)].sort().join(", ")}`);
}

/** For each object of the step, the fields two appliers own: `Kind ns/name: path: managers`. */
export async function doublyOwnedFields(client: KubeClient, step: readonly Deployable[]): Promise<string[]> {
    const found: string[] = [];
    const seen = new Set<string>();
    for (const d of step) {
        if (seen.has(d.identity)) continue;
        seen.add(d.identity);
        const live = await client.get(d.object);
        for (const shared of sharedFields(live?.metadata.managedFields ?? [])) found.push(`${d.identity}: ${shared}`);
    }
    return found;
}

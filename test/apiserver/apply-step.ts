import { KubeClient, KubeObject, Refusal } from "./client";
import { Deployable, deployableKey, inApplyOrder } from "./deployables";

/**
 * Applies one step of a stack to the API server as `pulumi up` would: what is new or
 * changed is applied in order, CRDs waited for until Established, and what the step no
 * longer has is pruned (deleted, or for a patch, its fields given up) once the rest is
 * applied, as the engine deletes after it creates and updates. Refusals are collected,
 * not thrown, so one run reports all of them.
 */

export interface StepResult {
    /** Every refusal: `Kind ns/name: Reason (code): field: message`. */
    refusals: string[];
    /** What was pruned, by identity. */
    pruned: string[];
}

/** The object a patch leaves behind when deleted: its identity alone, so the server drops what it applied. */
function relinquished(object: KubeObject): KubeObject {
    const { name, namespace } = object.metadata;
    return {
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name, ...(namespace !== undefined && { namespace }) },
    };
}

function message(error: unknown): string {
    return error instanceof Refusal ? error.message : `${(error as Error).message}`;
}

/**
 * Applies `step` over `previous` (the step before, or none on a fresh cluster). A resource
 * new in this step is created: over an existing object that fails as AlreadyExists, as the
 * provider's POST does, unless its provider upserts.
 */
export async function applyStep(
    client: KubeClient,
    step: readonly Deployable[],
    previous: readonly Deployable[] = [],
): Promise<StepResult> {
    const refusals: string[] = [];
    const before = new Set(previous.map(deployableKey));
    const ordered = inApplyOrder(step);
    let discoveryStale = false;
    for (const d of ordered) {
        if (discoveryStale && d.object.kind !== "CustomResourceDefinition") {
            // Kinds the CRDs just added are served once Established; discovery then lists them.
            await waitForCrds(client, ordered, refusals);
            client.forgetDiscovery();
            discoveryStale = false;
        }
        try {
            if (!before.has(deployableKey(d)) && !d.upsert && (await client.get(d.object)) !== undefined) {
                refusals.push(
                    `${d.identity}: AlreadyExists: ${d.owner} is new in this step and its provider does not ` +
                        "upsert, so pulumi-kubernetes creates it with a POST, which the existing object refuses",
                );
                continue;
            }
            await client.apply(d.object, { fieldManager: d.fieldManager, force: d.force });
            if (d.object.kind === "CustomResourceDefinition") discoveryStale = true;
        } catch (error) {
            refusals.push(message(error));
        }
    }
    if (discoveryStale) {
        await waitForCrds(client, ordered, refusals);
        client.forgetDiscovery();
    }
    const current = new Set(step.map(deployableKey));
    const gone = inApplyOrder(previous.filter((d) => !current.has(deployableKey(d)))).reverse();
    const pruned: string[] = [];
    for (const d of gone) {
        try {
            if (d.patch) await client.apply(relinquished(d.object), { fieldManager: d.fieldManager, force: false });
            else await client.delete(d.object);
            pruned.push(d.identity);
        } catch (error) {
            refusals.push(`prune of ${message(error)}`);
        }
    }
    return { refusals, pruned };
}

async function waitForCrds(client: KubeClient, ordered: readonly Deployable[], refusals: string[]): Promise<void> {
    for (const crd of ordered.filter((d) => d.object.kind === "CustomResourceDefinition" && !d.patch)) {
        try {
            await client.waitEstablished(crd.object.metadata.name);
        } catch (error) {
            refusals.push(message(error));
        }
    }
}

/** Each object's resourceVersion now, by identity (`absent` for one missing). */
export async function resourceVersions(
    client: KubeClient,
    step: readonly Deployable[],
): Promise<Record<string, string>> {
    const versions: Record<string, string> = {};
    for (const d of step) {
        versions[d.identity] = (await client.resourceVersion(d.object)) ?? "absent";
    }
    return versions;
}

/** The objects of the step that the server does not hold: what a prune took away, or a create that never came. */
export async function missingObjects(client: KubeClient, step: readonly Deployable[]): Promise<string[]> {
    const missing: string[] = [];
    for (const d of step.filter((d) => !d.patch)) {
        if ((await client.get(d.object)) === undefined) missing.push(`${d.identity} (${d.owner})`);
    }
    return missing;
}

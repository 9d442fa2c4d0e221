import { Registration } from "../support/monitor";
import { appliedLabels } from "../support/upgrade-flow";
import { applyStep, missingObjects, resourceVersions } from "./apply-step";
import { KubeClient } from "./client";
import { Deployable } from "./deployables";
import { doublyOwnedFields } from "./field-owners";

/**
 * Everything the suite checks about one step applied over the one before, gathered so that
 * one failure shows all of them: a test compares the whole record with an empty one.
 */
export interface StepProblems {
    /** What the server refused, applying or pruning: object, field, message. */
    refusals: string[];
    /** Objects of the step the server does not hold afterwards. */
    missing: string[];
    /** Objects a second apply of the same step changed: `Kind ns/name: rv -> rv`. */
    changedBySecondApply: string[];
    /** Fields two appliers own: `Kind ns/name: path: managers`. */
    doublyOwned: string[];
    /** Patched namespaces whose labels are not exactly those the step's patch sets. */
    namespaceLabels: string[];
}

export const NO_PROBLEMS: StepProblems = {
    refusals: [],
    missing: [],
    changedBySecondApply: [],
    doublyOwned: [],
    namespaceLabels: [],
};

/**
 * Kinds kube-apiserver v1.36.3 writes on every apply, even one that changes nothing (the
 * smoke test pins both): a PersistentVolumeClaim, and a Gateway API Gateway, whose CRD
 * defaults its status conditions (a ReferenceGrant, with no status, is not rewritten). Their
 * new resourceVersion says nothing of the program, and Pulumi, which applies only what its
 * diff shows, does not apply an unchanged one again.
 */
const REWRITTEN_ON_APPLY = ["PersistentVolumeClaim ", "Gateway "];

/** The label every namespace gets from the API server itself. */
const SERVER_LABEL = "kubernetes.io/metadata.name";

/**
 * Whether each namespace the step patches carries exactly the labels its patch sets (besides
 * the server's own, and any that `foreign` says someone else set), and each namespace a step
 * before patched and this one does not has none of the program's labels left.
 */
async function namespaceLabelProblems(
    client: KubeClient,
    registrations: readonly Registration[],
    previouslyPatched: readonly string[],
): Promise<string[]> {
    const expected = appliedLabels(registrations);
    const names = [...new Set([...Object.keys(expected), ...previouslyPatched])].sort();
    const problems: string[] = [];
    for (const name of names) {
        const live = await client.get({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
        const labels = Object.fromEntries(
            Object.entries(live?.metadata.labels ?? {}).filter(([key]) => key !== SERVER_LABEL),
        );
        const want = expected[name] ?? {};
        if (JSON.stringify(sorted(labels)) !== JSON.stringify(sorted(want))) {
            problems.push(
                `${name}: has ${JSON.stringify(sorted(labels))}, the step sets ${JSON.stringify(sorted(want))}`,
            );
        }
    }
    return problems;
}

function sorted(labels: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Applies `step` over `previous`, then applies it once more and reads back: what was refused,
 * what is missing, what the second apply changed, which fields have two owners, and whether
 * the namespace labels are what the step's patches say.
 */
export async function applyAndCheck(
    client: KubeClient,
    step: readonly Deployable[],
    registrations: readonly Registration[],
    previous: readonly Deployable[] = [],
): Promise<StepProblems> {
    const first = await applyStep(client, step, previous);
    const versions = await resourceVersions(client, step);
    const second = await applyStep(client, step, step);
    const again = await resourceVersions(client, step);
    const changedBySecondApply = Object.keys(again)
        .filter(
            (identity) =>
                again[identity] !== versions[identity] && !REWRITTEN_ON_APPLY.some((kind) => identity.startsWith(kind)),
        )
        .map((identity) => `${identity}: ${versions[identity]} -> ${again[identity]}`);
    const previouslyPatched = previous
        .filter((d) => d.patch && d.object.kind === "Namespace")
        .map((d) => d.object.metadata.name);
    return {
        refusals: [...first.refusals, ...second.refusals],
        missing: await missingObjects(client, step),
        changedBySecondApply,
        doublyOwned: await doublyOwnedFields(client, step),
        namespaceLabels: await namespaceLabelProblems(client, registrations, previouslyPatched),
    };
}

import type { MeshKey } from "./arg-paths";
import type { MeshRevisions } from "./revisions";
import type { DeploymentRecord, RecordedControlPlane } from "./istio-mesh-args";

/**
 * The upgrade guards: what a step may not delete or turn off, given what the last deployment
 * applied. Pure, and self-contained on purpose: no import but types, since the component's
 * deployment record (mesh/deployment-record.ts) runs these same checks inside its dynamic
 * provider, which Pulumi serializes with everything the functions reach.
 */

/** What a deployment recorded of its istiods (its `controlPlanes`). */
export type LastControlPlanes = Readonly<Record<string, RecordedControlPlane>>;

/** What a deployment applied, which the next step is checked against. */
export type LastDeployment = DeploymentRecord;

/** What the guards read of a step's plan. */
export interface PlannedStep {
    readonly revisions: MeshRevisions;
    /** Whether ambient is on in this step. */
    readonly ambient: boolean;
    /** The sidecar namespaces of this step. */
    readonly injectionNamespaces: readonly string[];
    /** The ambient namespaces of this step. */
    readonly ambientNamespaces: readonly string[];
    /** The namespaces whose ambient label this step drops. */
    readonly releasedNamespaces: readonly string[];
}

const show = (value: unknown): string => JSON.stringify(value);
const DEFAULT_TAG = "default";
const CANARY_TAG = "canary";

/** `istiod-1-31-4`, or `istiod` for the istiod of before revisions. */
function nameOfIstiod(revision: string | undefined): string {
    return revision === undefined ? "istiod" : `istiod-${revision}`;
}

/** Orders MAJOR.MINOR.PATCH versions numerically. */
function versionOrder(a: string, b: string): number {
    const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The namespaces the last deployment left labelled ambient, those moving back included, sorted; none for a first install. */
export function lastCaptured(
    last:
        | { readonly ambientNamespaces?: readonly string[]; readonly capturedNamespaces?: readonly string[] }
        | undefined,
): string[] {
    return [...new Set([...(last?.ambientNamespaces ?? []), ...(last?.capturedNamespaces ?? [])])].sort();
}

/**
 * Why the configuration would delete an istiod the last deployment ran while proxies may
 * still use it, each with the key to change; [] when it deletes none that way. Injected
 * proxies connect to their own revision's istiod, not to a tag, so:
 * - the istiod the `default` tag pointed to serves every proxy on it and the gateways;
 * - the canary serves the namespaces moved to it, until they move back and restart;
 * - a previous (or pre-revision) istiod serves unrestarted proxies, and goes only by the
 *   retirement step: its key removed, nothing else about the control planes changed.
 * A first install, with nothing deployed, deletes nothing.
 */
export function deletedIstiodProblems(
    last: LastDeployment | undefined,
    revisions: MeshRevisions,
    fullKey: (key: MeshKey) => string,
): [key: MeshKey, message: string][] {
    const running = [revisions.unrevisioned, revisions.previous, revisions.stable, revisions.canary];
    const planned = new Set(running.flatMap((istiod) => (istiod === undefined ? [] : [nameOfIstiod(istiod.revision)])));
    const deleted = Object.entries(last?.controlPlanes ?? {}).filter(([name]) => !planned.has(name));
    const lastDefault = Object.entries(last?.controlPlanes ?? {}).find(([, plane]) => plane.tag === DEFAULT_TAG);
    const target = revisions.stable.version;
    const k = fullKey;
    return deleted.flatMap(([name, { version, tag }]): [MeshKey, string][] => {
        if (tag === DEFAULT_TAG) {
            const how =
                versionOrder(target, version) > 0
                    ? `to upgrade, start a canary: ${k("istioVersion")}: ${version} and ${k("canaryVersion")}: ${target}; or promote in one step and keep it running for its proxies: ${k("previousVersion")}: ${version}`
                    : `to go back, keep it as the canary while the older release takes the default tag: ${k("istioVersion")}: ${target} and ${k("canaryVersion")}: ${version}`;
            return [
                [
                    "istioVersion",
                    `${show(target)} would delete ${name} (Istio ${version}), which the default tag points to and every proxy on it uses (the last deployment's controlPlanes output); ${how} (docs/upgrades.md)`,
                ],
            ];
        }
        if (tag === CANARY_TAG && (last?.canaryNamespaces ?? []).length > 0) {
            const moved = (last?.canaryNamespaces ?? []).map(show).join(", ");
            return [
                [
                    "canaryVersion",
                    `would delete ${name} (Istio ${version}) while ${moved} ${(last?.canaryNamespaces ?? []).length === 1 ? "runs" : "run"} on it (the last deployment's canaryNamespaces output); move them back first: empty ${k("canaryNamespaces")} and keep ${k("canaryVersion")}: ${version} in that step, restart what restartCommands lists, then change ${k("canaryVersion")}`,
                ],
            ];
        }
        const retiring = lastDefault !== undefined && lastDefault[0] === nameOfIstiod(revisions.stable.revision);
        if (tag === "" && !retiring) {
            const key: MeshKey = name === "istiod" ? "unrevisionedVersion" : "previousVersion";
            return [
                [
                    key,
                    `would delete ${name} (Istio ${version}), which proxies that have not restarted may still use, in a step that also changes ${k("istioVersion")}; retire it on its own first: remove ${k(key)} and change nothing else, once restartCommands has run`,
                ],
            ];
        }
        return [];
    });
}
/**
 * Why turning ambient off now would cut namespaces out of the mesh; undefined when it would
 * not. Removing ztunnel while the last deployment captured namespaces leaves their pods with
 * neither ztunnel nor sidecar, and under STRICT mTLS they can no longer call the mesh.
 */
export function ambientRemovalProblem(
    ambient: boolean,
    lastAmbientNamespaces: readonly string[] | undefined,
    fullKey: (key: MeshKey) => string,
): string | undefined {
    const captured = lastAmbientNamespaces ?? [];
    if (ambient || captured.length === 0) {
        return undefined;
    }
    const k = fullKey;
    return `false would remove ztunnel while ${captured.map(show).join(", ")} ${captured.length === 1 ? "was" : "were"} labelled ambient at the last deployment (its ambientNamespaces and capturedNamespaces outputs), leaving their unrestarted pods outside the mesh; move them back to ${k("injectionNamespaces")} first with ${k("ambient")} still true, restart them, list them in ${k("ambientReleasedNamespaces")} (which drops their ambient label), and turn ambient off after that`;
}

/**
 * Why the step would take ztunnel away from pods that have nothing else, each with its key:
 * - releasing a namespace that ran in ambient at the last deployment: its pods have no
 *   sidecar until they restart, so the release waits for the step after its move back;
 * - dropping a namespace the last deployment left labelled ambient from every list: its
 *   label patch would go, and the label with it, under pods without sidecars. Taking it out
 *   of the mesh is said so, by releasing it.
 */
export function capturedNamespaceProblems(
    last: LastDeployment | undefined,
    step: PlannedStep,
    fullKey: (key: MeshKey) => string,
): [key: MeshKey, message: string][] {
    const k = fullKey;
    const wasAmbient = last?.ambientNamespaces ?? [];
    const early = step.releasedNamespaces.filter((n) => wasAmbient.includes(n));
    const dropped = lastCaptured(last).filter(
        (n) =>
            !step.injectionNamespaces.includes(n) &&
            !step.ambientNamespaces.includes(n) &&
            !step.releasedNamespaces.includes(n),
    );
    return [
        ...early.map((n): [MeshKey, string] => [
            "ambientReleasedNamespaces",
            `${show(n)} ran in ambient at the last deployment (its ambientNamespaces output): its pods have no sidecar until they restart, and the release would take them out of ztunnel at once; move it back to ${k("injectionNamespaces")} without releasing it, restart what restartCommands lists, then release it in the next step`,
        ]),
        ...dropped.map((n): [MeshKey, string] => [
            "ambientNamespaces",
            `${show(n)} is labelled ambient (the last deployment's capturedNamespaces output) and in no list now, which would drop the label under pods that may have no sidecar; keep it in ${k("ambientNamespaces")}, move it to ${k("injectionNamespaces")}, or, to take it out of the mesh, list it in ${k("ambientReleasedNamespaces")}`,
        ]),
    ];
}

/**
 * Every refusal of the guards for a step planned as `step` after `last`, each with its setting:
 * the checks the component makes before any child exists, and its deployment record repeats
 * where the engine applies (so an `up` without a preview stops before it deletes anything).
 */
export function guardProblems(
    last: LastDeployment | undefined,
    step: PlannedStep,
    fullKey: (key: MeshKey) => string,
): [key: MeshKey, message: string][] {
    const cutOff = ambientRemovalProblem(step.ambient, lastCaptured(last), fullKey);
    return [
        ...deletedIstiodProblems(last, step.revisions, fullKey),
        ...(cutOff === undefined ? [] : [["ambient", cutOff] as [MeshKey, string]]),
        ...(cutOff === undefined ? capturedNamespaceProblems(last, step, fullKey) : []),
    ];
}

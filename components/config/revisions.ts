import { show } from "./config-reader";
import { DEFAULT_ISTIO_VERSION, istioMinor, istioRevision, SUPPORTED_ISTIO_MINORS } from "../versions";

/**
 * Istio control planes as revisions, and the keys of a canary upgrade: which istiods run,
 * which revision tag points where, and which namespaces each tag serves. Istio's canary
 * upgrade is install beside, move namespaces, promote, retire; each step is one change to
 * these keys (see docs/upgrades.md).
 */

/** The tag `istio-injection=enabled` namespaces and the gateways follow. */
export const DEFAULT_TAG = "default";
/** The tag `istio.io/rev=canary` namespaces follow while a canary runs. */
export const CANARY_TAG = "canary";
export type RevisionTag = typeof DEFAULT_TAG | typeof CANARY_TAG;

/** One istiod: the Istio version it runs and the revision name its objects carry. */
export interface ControlPlaneRevision {
    readonly version: string;
    /**
     * `1-31-4` for 1.31.4; absent for the istiod installed before revisions (release `istiod`,
     * which Istio's charts call the `default` revision).
     */
    readonly revision?: string;
    /** The tag pointing to it; none for a previous revision kept for unrestarted proxies. */
    readonly tag?: RevisionTag;
}

/** An istiod installed as a revision: every one but the istiod of before revisions. */
export interface Revisioned extends ControlPlaneRevision {
    readonly revision: string;
}

/** Every istiod of one environment. */
export interface MeshRevisions {
    /** `istio-mesh:istioVersion`: the `default` tag, the gateways and the base chart's default validator. */
    readonly stable: Revisioned;
    /** `istio-mesh:canaryVersion`: a second istiod, tagged `canary`. */
    readonly canary?: Revisioned;
    /** `istio-mesh:previousVersion`: the istiod of before a promotion, untagged, until retired. */
    readonly previous?: Revisioned;
    /**
     * `istio-mesh:unrevisionedVersion`: the istiod this program installed before revisions
     * (release `istiod`), kept without its injection webhooks for the proxies it started,
     * until retired.
     */
    readonly unrevisioned?: ControlPlaneRevision;
}

/** Every istiod, oldest first. */
export function allRevisions(revisions: MeshRevisions): ControlPlaneRevision[] {
    return [revisions.unrevisioned, revisions.previous, revisions.stable, revisions.canary].filter(
        (r): r is ControlPlaneRevision => r !== undefined,
    );
}

/**
 * The name of a revision's istiod: its Helm release, Deployment and Service, `istiod-1-31-4`;
 * plain `istiod` for the one installed before revisions.
 */
export function istiodName(revision: string | undefined): string {
    return revision === undefined ? "istiod" : `istiod-${revision}`;
}

/** The newest version running: the cluster-scoped resources (CRDs, base chart) follow it. */
export function newestVersion(revisions: MeshRevisions): string {
    return allRevisions(revisions)
        .map((r) => r.version)
        .sort(compareVersions)
        .pop() as string;
}

/** A revision tag and the revision it points to. */
export interface TagTarget {
    readonly tag: RevisionTag;
    /** e.g. `1-31-4` */
    readonly revision: string;
}

export function controlPlaneRevision(version: string, tag?: RevisionTag): Revisioned {
    return { version, revision: istioRevision(version), ...(tag !== undefined && { tag }) };
}

const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

function parts(version: string): number[] {
    return version.split(".").map(Number);
}

/** Orders MAJOR.MINOR.PATCH versions numerically (1.31.10 after 1.31.9). */
export function compareVersions(a: string, b: string): number {
    const [x, y] = [parts(a), parts(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** A version key's complaint, or undefined when it is a supported Istio release. */
export function checkIstioVersion(value: string): string | undefined {
    if (!SEMVER.test(value)) {
        return `${show(value)} is not a version of the form MAJOR.MINOR.PATCH, e.g. ${DEFAULT_ISTIO_VERSION}`;
    }
    if (!(SUPPORTED_ISTIO_MINORS as readonly string[]).includes(istioMinor(value))) {
        const minors = SUPPORTED_ISTIO_MINORS.map((minor) => `${minor}.x`).join(" or ");
        return `${show(value)} is not supported: the pinned chart values are written for Istio ${SUPPORTED_ISTIO_MINORS.join(", ")}; use ${minors} (default ${DEFAULT_ISTIO_VERSION})`;
    }
    return undefined;
}

/** How `to` fails to follow `from` in an upgrade, or undefined when it can. */
export type UpgradeStepProblem = "same" | "older" | { readonly ahead: string };

/**
 * Whether `to` can follow `from` in an upgrade: it must be newer, by at most one minor
 * release (Istio supports skipping at most one minor).
 */
export function upgradeStepProblem(from: string, to: string): UpgradeStepProblem | undefined {
    const order = compareVersions(to, from);
    if (order <= 0) {
        return order === 0 ? "same" : "older";
    }
    const [x, y] = [parts(from), parts(to)];
    if (y[0] !== x[0]) {
        return { ahead: "a major release" };
    }
    return y[1] - x[1] > 1 ? { ahead: `${y[1] - x[1]} minor releases` } : undefined;
}

/** The keys of a canary upgrade, as read; "" for unset. */
export interface RevisionKeys {
    istioVersion: string;
    canaryVersion: string;
    previousVersion: string;
    unrevisionedVersion: string;
    canaryNamespaces: readonly string[];
    injectionNamespaces: readonly string[];
}

/**
 * The cross-key problems of a canary upgrade, each with its key. Each version is checked
 * on its own before this (`checkIstioVersion`).
 */
export function revisionProblems(
    keys: RevisionKeys,
    fullKey: (name: string) => string,
): [key: string, message: string][] {
    const problems: [string, string][] = [];
    const stable = keys.istioVersion;
    const stableKey = `${fullKey("istioVersion")} ${show(stable)}`;
    if (keys.canaryVersion !== "") {
        const canary = show(keys.canaryVersion);
        const problem = upgradeStepProblem(stable, keys.canaryVersion);
        if (problem === "same") {
            problems.push([
                "canaryVersion",
                `${canary} is the same version as ${stableKey}; set the newer release to try, or remove the key to run one control plane`,
            ]);
        } else if (problem === "older") {
            problems.push([
                "canaryVersion",
                `${canary} is older than ${stableKey}; a canary must be a newer release (to go back to an older one, roll back: remove the canary before promoting it)`,
            ]);
        } else if (problem !== undefined) {
            problems.push([
                "canaryVersion",
                `${canary} is ${problem.ahead} ahead of ${stableKey}, and Istio upgrades skip at most one minor; upgrade through the minor in between first`,
            ]);
        }
    }
    if (
        keys.previousVersion !== "" &&
        keys.canaryVersion !== "" &&
        typeof upgradeStepProblem(keys.previousVersion, keys.canaryVersion) === "object"
    ) {
        // The CRDs follow the canary: the previous istiod must stay within one minor of them too.
        problems.push([
            "previousVersion",
            `${show(keys.previousVersion)} is more than one minor behind ${fullKey("canaryVersion")} ${show(keys.canaryVersion)}, whose CRDs it would have to read; retire it (remove the key) before starting this canary`,
        ]);
    }
    if (keys.previousVersion !== "") {
        const previous = show(keys.previousVersion);
        const problem = upgradeStepProblem(keys.previousVersion, stable);
        if (problem === "same" || problem === "older") {
            problems.push([
                "previousVersion",
                `${previous} is ${problem === "same" ? "the same as" : "newer than"} ${stableKey}; it names the release a promotion replaced, which is older: set it to that release, or remove it once nothing runs on it`,
            ]);
        } else if (problem !== undefined) {
            problems.push([
                "previousVersion",
                `${stableKey} is ${problem.ahead} ahead of ${previous}, and Istio upgrades skip at most one minor; the previous version must be at most one minor older`,
            ]);
        }
    }
    if (keys.unrevisionedVersion !== "") {
        const unrevisioned = show(keys.unrevisionedVersion);
        const problem = upgradeStepProblem(keys.unrevisionedVersion, stable);
        if (problem === "older") {
            problems.push([
                "unrevisionedVersion",
                `${unrevisioned} is newer than ${stableKey}; it names the release the stack ran before revisions, which istioVersion keeps or upgrades`,
            ]);
        } else if (typeof problem === "object") {
            problems.push([
                "unrevisionedVersion",
                `${stableKey} is ${problem.ahead} ahead of ${unrevisioned}, and Istio upgrades skip at most one minor`,
            ]);
        }
        const others = ["canaryVersion", "previousVersion"].filter(
            (key) => keys[key as "canaryVersion" | "previousVersion"] !== "",
        );
        if (others.length > 0) {
            problems.push([
                "unrevisionedVersion",
                `is set with ${others.map(fullKey).join(" and ")}; finish the move to revisions first: restart what restartCommands lists, then remove ${fullKey("unrevisionedVersion")}`,
            ]);
        }
    }
    if (keys.canaryNamespaces.length > 0 && keys.canaryVersion === "") {
        problems.push([
            "canaryNamespaces",
            `${show(keys.canaryNamespaces)} is set, but there is no canary (${fullKey("canaryVersion")} is unset); set ${fullKey("canaryVersion")}, or remove ${fullKey("canaryNamespaces")} to keep every namespace on ${show(stable)}`,
        ]);
    }
    const outside = keys.canaryNamespaces.filter((namespace) => !keys.injectionNamespaces.includes(namespace));
    if (outside.length > 0) {
        problems.push([
            "canaryNamespaces",
            `${show(outside)} ${outside.length === 1 ? "is" : "are"} not in ${fullKey("injectionNamespaces")} ${show(keys.injectionNamespaces)}; a namespace moves to the canary from the mesh, so add it there too`,
        ]);
    }
    return problems;
}

/** What the stack's last deployment reported of its istiods (its `controlPlanes` output). */
export type LastControlPlanes = Readonly<
    Record<string, { readonly version: string; readonly tag: string; readonly ambient?: boolean }>
>;

/** The outputs of the stack's last deployment that an upgrade step is checked against. */
export interface LastDeployment {
    readonly controlPlanes?: LastControlPlanes;
    readonly canaryNamespaces?: readonly string[];
    /** Namespaces it labelled ambient: one that moves back keeps ztunnel until its pods restart. */
    readonly ambientNamespaces?: readonly string[];
    /** Namespaces it left labelled ambient, those moving back to sidecars included. */
    readonly capturedNamespaces?: readonly string[];
}

/** The namespaces the last deployment left labelled ambient, those moving back included, sorted; none for a first install. */
export function lastCaptured(last: LastDeployment | undefined): string[] {
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
    fullKey: (name: string) => string,
): [key: string, message: string][] {
    const planned = new Set(allRevisions(revisions).map((istiod) => istiodName(istiod.revision)));
    const deleted = Object.entries(last?.controlPlanes ?? {}).filter(([name]) => !planned.has(name));
    const lastDefault = Object.entries(last?.controlPlanes ?? {}).find(([, plane]) => plane.tag === DEFAULT_TAG);
    const target = revisions.stable.version;
    const k = fullKey;
    return deleted.flatMap(([name, { version, tag }]): [string, string][] => {
        if (tag === DEFAULT_TAG) {
            const how =
                compareVersions(target, version) > 0
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
        const retiring = lastDefault !== undefined && lastDefault[0] === istiodName(revisions.stable.revision);
        if (tag === "" && !retiring) {
            const key = name === "istiod" ? "unrevisionedVersion" : "previousVersion";
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

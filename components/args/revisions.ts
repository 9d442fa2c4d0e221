import type { MeshKey } from "./arg-paths";
import { show } from "./text";
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
    fullKey: (key: MeshKey) => string,
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
        const others = (["canaryVersion", "previousVersion"] as const).filter((key) => keys[key] !== "");
        if (others.length > 0) {
            problems.push([
                "unrevisionedVersion",
                `is set with ${others.map((key) => fullKey(key)).join(" and ")}; finish the move to revisions first: restart what restartCommands lists, then remove ${fullKey("unrevisionedVersion")}`,
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

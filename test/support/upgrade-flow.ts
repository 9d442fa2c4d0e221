import { DEPLOYMENT_RECORD_TYPE } from "../../components/mesh/deployment-record";
import { MockCluster, NamespaceLabels, Registration } from "./monitor";
import { K8sObject, objectDigest, renderStack, StackRender } from "./render";

/**
 * The canary upgrades of the dev stack, step by step as their pull requests would change the
 * stack file: across patches (1.31.4 to 1.31.5) and across minors (1.30.3 to 1.31.4). Each
 * step is evaluated on the cluster the step before left (the namespace labels its patches
 * applied, the Deployments it ran), and rendered with the real charts of each minor.
 */

export interface UpgradeStep {
    /** File name under plans/upgrade/ and test title, e.g. `2-canary`. */
    id: string;
    /** What the pull request does. */
    title: string;
    /** The step whose cluster this one starts from; none for a fresh cluster, `before-revisions` for one this program deployed before revisions. */
    after?: string;
    /** The stack's `istio-mesh:` keys at this step, over the dev stack file. */
    config: Record<string, unknown>;
}

/** A canary upgrade from one Istio release to the next: its steps' ids carry `prefix`. */
export interface UpgradeFlow {
    readonly prefix: string;
    readonly from: string;
    readonly to: string;
}

export const PATCH_FLOW: UpgradeFlow = { prefix: "", from: "1.31.4", to: "1.31.5" };
export const MINOR_FLOW: UpgradeFlow = { prefix: "minor-", from: "1.30.3", to: "1.31.4" };

// `shop` joins the mesh from the start, so that one namespace can move while `default` stays.
const MESH = { "istio-mesh:injectionNamespaces": ["default", "shop"] };

/**
 * Install, canary, move a namespace, promote, retire; and a rollback from the move in two
 * pull requests: the namespaces leave the canary (and restart) before it goes.
 */
export function canarySteps(flow: UpgradeFlow): UpgradeStep[] {
    const { prefix: p, from, to } = flow;
    const stable = (version: string): Record<string, unknown> => ({ ...MESH, "istio-mesh:istioVersion": version });
    const withCanary = { ...stable(from), "istio-mesh:canaryVersion": to };
    return [
        { id: `${p}1-install`, title: `install Istio ${from}: one revision, tagged default`, config: stable(from) },
        {
            id: `${p}2-canary`,
            title: `start a canary: ${to} beside ${from}`,
            after: `${p}1-install`,
            config: withCanary,
        },
        {
            id: `${p}3-move`,
            title: "move namespace shop to the canary",
            after: `${p}2-canary`,
            config: { ...withCanary, "istio-mesh:canaryNamespaces": ["shop"] },
        },
        {
            id: `${p}4-promote`,
            title: `promote ${to}: the default tag and the gateways move, ${from} stays untagged`,
            after: `${p}3-move`,
            config: { ...stable(to), "istio-mesh:previousVersion": from },
        },
        { id: `${p}5-retire`, title: `retire ${from}`, after: `${p}4-promote`, config: stable(to) },
        {
            id: `${p}rollback-1-move-back`,
            title: "roll back from step 3, first pull request: move shop back to the default tag",
            after: `${p}3-move`,
            config: withCanary,
        },
        {
            id: `${p}rollback-2-remove-canary`,
            title: "roll back, second pull request: remove the canary",
            after: `${p}rollback-1-move-back`,
            config: stable(from),
        },
    ];
}

const OLD = PATCH_FLOW.from;

export const UPGRADE_STEPS: readonly UpgradeStep[] = [
    ...canarySteps(PATCH_FLOW),
    // A stack deployed before revisions (release `istiod`, `istio-injection=enabled` labels)
    // moves to them in two pull requests: keep the old istiod until its proxies restarted.
    {
        id: "migrate-1-keep-unrevisioned",
        title: "move a stack deployed before revisions: revision 1-31-4 beside the kept istiod",
        after: "before-revisions",
        config: { ...MESH, "istio-mesh:istioVersion": OLD, "istio-mesh:unrevisionedVersion": OLD },
    },
    {
        id: "migrate-2-retire-unrevisioned",
        title: "retire the istiod of before revisions",
        after: "migrate-1-keep-unrevisioned",
        config: { ...MESH, "istio-mesh:istioVersion": OLD },
    },
    ...canarySteps(MINOR_FLOW),
];

const AMBIENT = { "istio-mesh:ambient": true, "istio-mesh:platform": "minikube" };
const SHOP_AMBIENT = {
    ...AMBIENT,
    "istio-mesh:injectionNamespaces": ["default"],
    "istio-mesh:ambientNamespaces": ["shop"],
};

const WITH_WAYPOINT = { ...SHOP_AMBIENT, "istio-mesh:istioVersion": OLD, "istio-mesh:waypointNamespaces": ["shop"] };

/**
 * The move from sidecars to ambient and back, and a canary upgrade with ambient on, from the patch flow's install (`default` and
 * `shop` with sidecars): each a pull request of one change, none with an outage.
 */
export const AMBIENT_STEPS: readonly UpgradeStep[] = [
    {
        id: "ambient-1-enable",
        title: "ambient on: istiod's ambient profile, the CNI agent and ztunnel join; no namespace moves",
        after: "1-install",
        config: { ...MESH, "istio-mesh:istioVersion": OLD, ...AMBIENT },
    },
    {
        id: "ambient-2-move",
        title: "move namespace shop from sidecars to ambient",
        after: "ambient-1-enable",
        config: { ...SHOP_AMBIENT, "istio-mesh:istioVersion": OLD },
    },
    {
        id: "ambient-3-waypoint",
        title: "a waypoint for shop, for its L7 policies and telemetry",
        after: "ambient-2-move",
        config: WITH_WAYPOINT,
    },
    {
        id: "ambient-4-canary",
        title: `a canary of ${PATCH_FLOW.to} beside ambient: ztunnel and the CNI agent stay on ${OLD}`,
        after: "ambient-3-waypoint",
        config: { ...WITH_WAYPOINT, "istio-mesh:canaryVersion": PATCH_FLOW.to },
    },
    {
        id: "ambient-5-promote",
        title: `promote ${PATCH_FLOW.to}: istiod's tag moves, then the CNI agent, then ztunnel are upgraded in place`,
        after: "ambient-4-canary",
        config: {
            ...WITH_WAYPOINT,
            "istio-mesh:istioVersion": PATCH_FLOW.to,
            "istio-mesh:previousVersion": OLD,
        },
    },
    {
        id: "ambient-rollback-1-remove-waypoint",
        title: "roll back, first pull request: remove shop's waypoint",
        after: "ambient-3-waypoint",
        config: { ...SHOP_AMBIENT, "istio-mesh:istioVersion": OLD },
    },
    {
        id: "ambient-rollback-2-move-back",
        title: "roll back, second pull request: shop back to sidecars, still captured until its pods restart",
        after: "ambient-rollback-1-remove-waypoint",
        config: { ...MESH, "istio-mesh:istioVersion": OLD, ...AMBIENT },
    },
    {
        id: "ambient-rollback-3-next-up",
        title: "any up after the move back (a merged bump, a rerun): shop keeps its ambient label",
        after: "ambient-rollback-2-move-back",
        config: { ...MESH, "istio-mesh:istioVersion": OLD, ...AMBIENT },
    },
    {
        id: "ambient-rollback-4-release",
        title: "roll back, third pull request, once every pod of shop has a sidecar: release its ambient label",
        after: "ambient-rollback-3-next-up",
        config: {
            ...MESH,
            "istio-mesh:istioVersion": OLD,
            ...AMBIENT,
            "istio-mesh:ambientReleasedNamespaces": ["shop"],
        },
    },
];

/** Every step of every flow, by id. */
export function upgradeStep(id: string): UpgradeStep {
    const step = [...UPGRADE_STEPS, ...AMBIENT_STEPS].find((s) => s.id === id);
    if (step === undefined) {
        throw new Error(`no upgrade step ${id}`);
    }
    return step;
}

/** The labels each NamespacePatch of a run applies, by namespace: what the cluster holds after it. */
export function appliedLabels(registrations: readonly Registration[]): NamespaceLabels {
    return Object.fromEntries(
        registrations
            .filter((r) => r.type === "kubernetes:core/v1:NamespacePatch")
            .map((r) => {
                const metadata = r.inputs.metadata as { name: string; labels: Record<string, string> };
                return [metadata.name, metadata.labels];
            }),
    );
}

/** The step a step follows, when it is one of this flow (not a fresh cluster or one from before revisions). */
export function previousStep(step: UpgradeStep): UpgradeStep | undefined {
    return step.after === undefined || step.after === "before-revisions" ? undefined : upgradeStep(step.after);
}

/** A cluster this program deployed before revisions: one istiod, and the one label it knew. */
const BEFORE_REVISIONS: MockCluster = {
    namespaceLabels: { default: { "istio-injection": "enabled" }, shop: { "istio-injection": "enabled" } },
    deployments: ["istio-system/istiod"],
};

/** What a step leaves: its labels and its Deployments on the cluster, its outputs in the stack. */
export function clusterAfter(render: StackRender): MockCluster {
    const deployments = render.releases.flatMap((release) =>
        release.objects.filter((o) => o.kind === "Deployment").map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
    );
    const record = render.run.registrations.find((r) => r.type === DEPLOYMENT_RECORD_TYPE);
    return {
        namespaceLabels: appliedLabels(render.run.registrations),
        deployments: deployments.sort(),
        ...(record !== undefined && { lastRecord: record.inputs.record as Record<string, unknown> }),
        lastOutputs: {
            controlPlanes: render.run.savedOutputs?.controlPlanes,
            canaryNamespaces: render.run.savedOutputs?.canaryNamespaces,
            ambientNamespaces: render.run.savedOutputs?.ambientNamespaces,
            capturedNamespaces: render.run.savedOutputs?.capturedNamespaces,
        },
    };
}

/** A fresh cluster with the application namespace `shop`, where the flow starts. */
const FRESH_WITH_SHOP: MockCluster = { namespaces: ["shop"] };

/** The cluster before `step`: what the step it follows left, or the cluster the flow starts from. */
export async function clusterBefore(step: UpgradeStep): Promise<MockCluster> {
    if (step.after === "before-revisions") {
        return BEFORE_REVISIONS;
    }
    const previous = previousStep(step);
    return previous === undefined ? FRESH_WITH_SHOP : clusterAfter(await renderUpgradeStep(previous));
}

/** The step evaluated on the cluster its predecessor left, and rendered (shared per process). */
export async function renderUpgradeStep(step: UpgradeStep): Promise<StackRender> {
    return renderStack("dev", step.config, await clusterBefore(step));
}

/** An object the cluster would hold, by kind, namespace and name, and the resource that owns it. */
export interface OwnedObject {
    identity: string;
    /** The Chart that renders it, or the resource that is it: `Chart istiod-1-31-4`, `Service revision-tags-default`. */
    owner: string;
    object: K8sObject;
}

function identity(object: Pick<K8sObject, "kind" | "metadata">): string {
    return `${object.kind} ${object.metadata.namespace === undefined ? "" : `${object.metadata.namespace}/`}${object.metadata.name}`;
}

/**
 * Every object a step puts on the cluster: each Chart's rendered objects and each plain
 * Kubernetes resource the program registers. Patches and reads own nothing.
 */
export function ownedObjects(render: StackRender): OwnedObject[] {
    const fromCharts = render.releases.flatMap((release) =>
        release.objects.map((object) => ({
            identity: identity(object),
            owner: `Chart ${release.resourceName}`,
            object,
        })),
    );
    const plain = render.run.registrations
        .filter(
            (r) =>
                r.custom &&
                r.readId === undefined &&
                r.type.startsWith("kubernetes:") &&
                !r.type.endsWith("Patch") &&
                r.type !== "kubernetes:helm.sh/v4:Chart",
        )
        .map((r) => {
            const kind = r.type.slice(r.type.lastIndexOf(":") + 1);
            const object = { apiVersion: r.type.split(":")[1], ...(r.inputs as object), kind } as K8sObject;
            return { identity: identity(object), owner: `${kind} ${r.name}`, object };
        });
    return [...fromCharts, ...plain].sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
}

/** Objects two owners of one step both render: the cluster can hold only one of them. */
export function collisions(objects: readonly OwnedObject[]): string[] {
    const owners = new Map<string, string[]>();
    for (const { identity: id, owner } of objects) {
        owners.set(id, [...(owners.get(id) ?? []), owner]);
    }
    return [...owners.entries()].filter(([, list]) => list.length > 1).map(([id, list]) => `${id}: ${list.join(", ")}`);
}

/**
 * Objects that keep their kind, namespace and name from one step to the next but change
 * owner. Pulumi creates the new owner's copy before deleting the old one's: without
 * `upsertExistingObjects` the create fails with AlreadyExists, with it the delete removes
 * what was just applied.
 */
export function movedObjects(before: readonly OwnedObject[], after: readonly OwnedObject[]): string[] {
    const owners = new Map(before.map((o) => [o.identity, o.owner]));
    return after
        .filter((o) => owners.has(o.identity) && owners.get(o.identity) !== o.owner)
        .map((o) => `${o.identity}: ${owners.get(o.identity)} -> ${o.owner}`);
}

/** What the engine would do to each resource from one step to the next, by `Kind::name`. */
export function registrationChanges(
    from: StackRender,
    to: StackRender,
): { created: string[]; deleted: string[]; updated: string[] } {
    const owned = (render: StackRender): Map<string, Registration> =>
        new Map(
            render.run.registrations
                .filter((r) => r.readId === undefined && (r.custom || r.remote))
                .map((r) => [r.urn, r]),
        );
    const [before, after] = [owned(from), owned(to)];
    // By the name within the mesh: every name of the program starts with `mesh-`.
    const label = (r: Registration): string =>
        `${r.type.slice(r.type.lastIndexOf(":") + 1)}::${r.name.replace(/^mesh-/, "")}`;
    // A change of dependencies alone is no update: the engine diffs inputs.
    const sameInputs = (a: Registration, b: Registration): boolean =>
        JSON.stringify(a.inputs) === JSON.stringify(b.inputs);
    return {
        created: [...after.values()]
            .filter((r) => !before.has(r.urn))
            .map(label)
            .sort(),
        deleted: [...before.values()]
            .filter((r) => !after.has(r.urn))
            .map(label)
            .sort(),
        updated: [...after.values()]
            .filter((r) => before.has(r.urn) && !sameInputs(before.get(r.urn) as Registration, r))
            .map(label)
            .sort(),
    };
}

/** Rendered objects each Chart adds, removes or changes from one step to the next. */
export function renderedChanges(
    from: StackRender,
    to: StackRender,
): Record<string, { added?: string[]; removed?: string[]; changed?: string[] }> {
    const byChart = (render: StackRender): Map<string, Map<string, string>> =>
        new Map(
            render.releases.map((release) => [
                release.resourceName,
                new Map(release.objects.map((o) => [identity(o), objectDigest(o)])),
            ]),
        );
    const [before, after] = [byChart(from), byChart(to)];
    const charts = [...new Set([...before.keys(), ...after.keys()])].sort();
    const result: Record<string, { added?: string[]; removed?: string[]; changed?: string[] }> = {};
    for (const chart of charts) {
        const [b, a] = [before.get(chart) ?? new Map<string, string>(), after.get(chart) ?? new Map<string, string>()];
        const added = [...a.keys()].filter((id) => !b.has(id));
        const removed = [...b.keys()].filter((id) => !a.has(id));
        const changed = [...a.keys()].filter((id) => b.has(id) && b.get(id) !== a.get(id));
        if (added.length + removed.length + changed.length > 0) {
            result[chart] = {
                ...(added.length > 0 && { added }),
                ...(removed.length > 0 && { removed }),
                ...(changed.length > 0 && { changed }),
            };
        }
    }
    return result;
}

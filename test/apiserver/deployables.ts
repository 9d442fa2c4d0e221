import * as crypto from "node:crypto";
import { isWireSecret, Registration } from "../support/monitor";
import { StackRender } from "../support/render";
import { ownedObjects } from "../support/upgrade-flow";
import { KubeObject } from "./client";

/**
 * What one evaluated and rendered stack asks of the API server, object by object, with the
 * field manager and force that pulumi-kubernetes 4.34 would use for each (server-side apply
 * on, as it is by default):
 *  - every resource, a Chart's objects included, applies under a field manager of its own,
 *    `pulumi-kubernetes-<8 hex>`, drawn once and kept in its state: here derived from the
 *    resource and the object, so that one resource keeps its manager from step to step;
 *  - force is off, unless the resource's provider sets `enablePatchForce` (the program's
 *    adopting provider does);
 *  - a new resource is created, failing if its object exists, unless its provider sets
 *    `upsertExistingObjects`; a Patch resource always applies.
 */

/** The sentinel Pulumi's wire form uses for a value unknown until deployment. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Deployable {
    /** `Kind namespace/name` of the object. */
    identity: string;
    /** The Pulumi resource that owns it: `Chart istio-base`, `Namespace istio-system`, `NamespacePatch ...`. */
    owner: string;
    object: KubeObject;
    fieldManager: string;
    force: boolean;
    /** Whether creating it over an existing object adopts that object instead of failing. */
    upsert: boolean;
    /** A Patch resource: it owns only the fields it sets, and a delete gives them up. */
    patch: boolean;
}

/** The key of one resource's object across steps. */
export function deployableKey(d: Pick<Deployable, "owner" | "identity">): string {
    return `${d.owner}\0${d.identity}`;
}

function fieldManagerOf(owner: string, identity: string): string {
    const digest = crypto.createHash("sha256").update(`${owner}\0${identity}`).digest("hex");
    return `pulumi-kubernetes-${digest.slice(0, 8)}`;
}

/** Wire-form inputs as the provider sends them: secrets unwrapped; an unknown is an error. */
export function plain(value: unknown, at: string): unknown {
    if (isWireSecret(value)) return plain(value.value, at);
    if (value === UNKNOWN) throw new Error(`${at} is unknown until deployment`);
    if (Array.isArray(value)) return value.map((item, i) => plain(item, `${at}[${i}]`));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item, `${at}.${key}`)]));
    }
    return value;
}

interface ProviderFlags {
    upsert: boolean;
    force: boolean;
}

/** Each explicit kubernetes provider's flags, by its reference (`urn::id`). */
function providerFlags(registrations: readonly Registration[]): Map<string, ProviderFlags> {
    const flags = new Map<string, ProviderFlags>();
    for (const r of registrations.filter((r) => r.type === "pulumi:providers:kubernetes")) {
        const on = (key: string): boolean => String(r.inputs[key]) === "true";
        flags.set(`${r.urn}::${r.name}-id`, { upsert: on("upsertExistingObjects"), force: on("enablePatchForce") });
    }
    return flags;
}

/** The flags of the provider a resource (or a Chart, for its objects) uses; the default provider sets none. */
function flagsOf(registration: Registration | undefined, flags: Map<string, ProviderFlags>): ProviderFlags {
    const reference = registration?.providers.kubernetes ?? registration?.provider ?? "";
    return flags.get(reference) ?? { upsert: false, force: false };
}

/** Every object the stack puts on the cluster and every namespace label patch, in no order. */
export function deployables(render: StackRender): Deployable[] {
    const { registrations } = render.run;
    const flags = providerFlags(registrations);
    const byOwner = new Map(
        registrations
            .filter((r) => r.custom || r.type === "kubernetes:helm.sh/v4:Chart")
            .map((r) => [`${r.type.slice(r.type.lastIndexOf(":") + 1)} ${r.name}`, r]),
    );
    const owned = ownedObjects(render).map(({ identity, owner, object }) => {
        const { upsert, force } = flagsOf(byOwner.get(owner), flags);
        return {
            identity,
            owner,
            object: plain(object, identity) as KubeObject,
            fieldManager: fieldManagerOf(owner, identity),
            force,
            upsert,
            patch: false,
        };
    });
    const patches = registrations
        .filter((r) => r.custom && r.readId === undefined && r.type.endsWith("Patch"))
        .map((r) => {
            const kind = r.type.slice(r.type.lastIndexOf(":") + 1, -"Patch".length);
            const object = { ...(plain(r.inputs, r.name) as object), kind } as KubeObject;
            const owner = `${kind}Patch ${r.name}`;
            const identity = `${kind} ${object.metadata.namespace === undefined ? "" : `${object.metadata.namespace}/`}${object.metadata.name}`;
            return {
                identity,
                owner,
                object,
                fieldManager: fieldManagerOf(owner, identity),
                force: flagsOf(r, flags).force,
                upsert: true,
                patch: true,
            };
        });
    return [...owned, ...patches];
}

/**
 * The order of a step: namespaces, then CRDs (then waited for), then the rest by kind, the
 * way Helm installs a chart, then custom resources, then patches, which the program makes
 * wait for the webhooks that read their labels. Without controllers or webhooks, nothing on
 * this API server depends on an order finer than that.
 */
const KIND_ORDER = [
    "Namespace",
    "CustomResourceDefinition",
    "PriorityClass",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "StorageClass",
    "PersistentVolumeClaim",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "DaemonSet",
    "Deployment",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

function rank(d: Deployable): number {
    if (d.patch) return KIND_ORDER.length + 1;
    const index = KIND_ORDER.indexOf(d.object.kind);
    // Custom resources (Istio's) after every built-in kind.
    return index === -1 ? KIND_ORDER.length : index;
}

/** `deployables` in the order a step applies them. */
export function inApplyOrder(list: readonly Deployable[]): Deployable[] {
    return [...list].sort(
        (a, b) =>
            rank(a) - rank(b) ||
            (deployableKey(a) < deployableKey(b) ? -1 : deployableKey(a) > deployableKey(b) ? 1 : 0),
    );
}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../chart";
import { DEFAULT_TAG, RevisionTag } from "../args/revisions";
import { NamespaceTag } from "../values/control-plane-plan";
import { WAYPOINT_NAME } from "../values/ambient-values";
import { joinsAmbientNote, keepsAmbientNote, releasesAmbientNote } from "../values/ambient-notes";

export interface SidecarInjectionArgs {
    /**
     * Existing namespaces whose new pods get an Envoy sidecar, each with the tag that serves
     * it: `default` (`istio-injection=enabled`) or `canary` (`istio.io/rev=canary`).
     * @default the `default` namespace, on the `default` tag
     */
    namespaces?: readonly NamespaceTag[];
    /**
     * Whether an older control plane still runs beside the default one (the previous one
     * after a promotion, or the one from before revisions): every namespace on the `default`
     * tag may still have its proxies, so each owes a restart until it is retired.
     * @default false
     */
    defaultTagRestartOwed?: boolean;
    /**
     * Whether every namespace with sidecars owes a restart: ambient mode was just turned on,
     * and only proxies injected since accept HBONE, which ambient pods and waypoints send.
     * @default false
     */
    sidecarsOweHbone?: boolean;
    /**
     * How the setting that releases a namespace's ambient label is named in the notes of
     * `restartCommands`: the config key or argument path the caller reads it from.
     * @default "ambientReleasedNamespaces"
     */
    releaseSetting?: string;
    /**
     * Namespaces whose ambient label this step drops (`ambientReleasedNamespaces`): a
     * sidecar namespace labelled ambient keeps that label until released.
     * @default []
     */
    releasedNamespaces?: readonly string[];
}

/** The labels that put a namespace on a tag: `istio-injection` wins over `istio.io/rev`, so never both. */
export function injectionLabels(tag: RevisionTag): Record<string, string> {
    return tag === DEFAULT_TAG ? { "istio-injection": "enabled" } : { "istio.io/rev": tag };
}

/** The ambient label: the CNI agent captures the namespace's pods (those without a sidecar) for ztunnel. */
export const AMBIENT_LABELS = { "istio.io/dataplane-mode": "ambient" } as const;

/**
 * The labels of a namespace in the mesh: its injection tag, or ambient capture and its
 * waypoint; a sidecar namespace keeps the ambient label while it leaves ambient (`keeps`).
 */
export function dataPlaneLabels(
    entry: NamespaceTag,
    keeps = "tag" in entry && entry.leavingAmbient === true,
): Record<string, string> {
    if ("ambient" in entry) {
        return { ...AMBIENT_LABELS, ...(entry.ambient.waypoint && WAYPOINT_LABELS) };
    }
    return { ...injectionLabels(entry.tag), ...(keeps && AMBIENT_LABELS) };
}

/**
 * Whether a sidecar namespace keeps its ambient label in this step: it is labelled ambient
 * now (the read before the step's patch shows it, whoever deployed it) or the last
 * deployment left it so (`leavingAmbient`), and it is not released. Its unrestarted pods
 * have no sidecar: without the label they would have no ztunnel either. Read from the
 * namespace, it holds for a mesh embedded in a program that passes no last deployment.
 */
export function keepsAmbientLabel(
    labels: Readonly<Record<string, string>> | undefined,
    entry: NamespaceTag,
    released: readonly string[],
): boolean {
    if ("ambient" in entry || released.includes(entry.namespace)) {
        return false;
    }
    return entry.leavingAmbient === true || labels?.["istio.io/dataplane-mode"] === "ambient";
}

/**
 * A waypoint namespace's labels: its Services' traffic goes through the waypoint, from
 * ambient pods (`use-waypoint`) and from gateways too (`ingress-use-waypoint`, which Istio
 * 1.30 and 1.31 read from the Service or its namespace when ambient is on): without it the
 * ingress gateway sends straight to the pods, past the waypoint's L7 policies. Sidecars never
 * go through a waypoint.
 */
const WAYPOINT_LABELS = { "istio.io/use-waypoint": WAYPOINT_NAME, "istio.io/ingress-use-waypoint": "true" };

/** What a step does to a namespace's ambient label, from the labels it had before: the notes it owes. */
function ambientNotes(
    labels: Readonly<Record<string, string>> | undefined,
    entry: NamespaceTag,
    releaseSetting: string,
    keeps: boolean,
): { notes: string[]; warn: boolean } {
    const wasAmbient = labels?.["istio.io/dataplane-mode"] === "ambient";
    const { namespace } = entry;
    if ("ambient" in entry) {
        return wasAmbient ? { notes: [], warn: false } : { notes: [joinsAmbientNote(namespace)], warn: true };
    }
    if (keeps) {
        return { notes: [keepsAmbientNote(namespace, releaseSetting)], warn: false };
    }
    return wasAmbient ? { notes: [releasesAmbientNote(namespace)], warn: true } : { notes: [], warn: false };
}

/**
 * Whether a namespace's running pods already have the data plane `entry` plans: pods keep
 * the sidecar they started with, while ambient capture reaches running pods without one.
 * So a namespace owes a restart when it moves between tags, from sidecars to ambient (to
 * drop them), or from ambient to sidecars (to get them); not when it joins ambient fresh.
 */
function alreadyServed(labels: Readonly<Record<string, string>> | undefined, entry: NamespaceTag): boolean {
    return servingTag(labels) === ("ambient" in entry ? undefined : entry.tag);
}

/** The tag a namespace's labels put it on, as the tag webhooks select it, or undefined for none. */
export function servingTag(labels: Readonly<Record<string, string>> | undefined): string | undefined {
    const injection = labels?.["istio-injection"];
    if (injection !== undefined) {
        return injection === "enabled" ? DEFAULT_TAG : undefined;
    }
    return labels?.["istio.io/rev"];
}

/** Istio's own way to give every pod of a namespace a proxy from the revision now serving it. */
export function restartCommand(namespace: string): string {
    return `kubectl rollout restart deployment -n ${namespace}`;
}

/**
 * Puts existing namespaces on a revision tag: `istio-injection=enabled` for `default`,
 * `istio.io/rev=canary` for the canary. Each namespace is read first, so a missing one stops
 * the preview; each label is a server-side-apply patch (NamespacePatch) named after the
 * namespace, never its tag, so moving a namespace between tags updates the same patch and
 * the API server drops the label the patch no longer sets. Pulumi owns only those labels,
 * never the namespace, so `pulumi destroy` removes them and leaves the namespace alone. The
 * labels are read by the tags' injection webhooks, so create this after them (`dependsOn`).
 * Pods already running keep the proxy they started with until restarted: `restartCommands`
 * lists the namespaces that owe a restart.
 */
export class SidecarInjection extends pulumi.ComponentResource {
    /** The namespaces with sidecars. */
    public readonly namespaces: readonly string[];
    /** The namespaces captured by ztunnel. */
    public readonly ambientNamespaces: readonly string[];
    /** The namespaces labelled ambient after this step: the ambient ones and those moving back, as read. */
    public readonly capturedNamespaces: pulumi.Output<string[]>;
    /**
     * `kubectl rollout restart` for each namespace whose running pods may have a proxy from
     * another revision than the one now serving it, or none: it is labelled in this step, it
     * moves to another tag, or it is on `default` while a previous control plane still runs.
     */
    public readonly restartCommands: pulumi.Output<string[]>;

    constructor(name: string, args: SidecarInjectionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:core:SidecarInjection", name, {}, opts);
        const tagged = [...(args.namespaces ?? [{ namespace: "default", tag: DEFAULT_TAG }])].sort((a, b) =>
            a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0,
        );
        this.namespaces = tagged.filter((entry) => !("ambient" in entry)).map(({ namespace }) => namespace);
        this.ambientNamespaces = tagged.filter((entry) => "ambient" in entry).map(({ namespace }) => namespace);
        const released = args.releasedNamespaces ?? [];
        const captured: pulumi.Output<string | undefined>[] = [];
        const owed = tagged.map((entry) => {
            const { namespace } = entry;
            // A patch of a missing namespace would create it (server-side apply), and destroy
            // would leave it behind: read it first, so a typo fails on that read, by name.
            // The read comes before this step's patch, so it shows the labels the step changes.
            const existing = k8s.core.v1.Namespace.get(`${name}-${namespace}`, namespace, { parent: this });
            const keeps = existing.metadata.labels.apply((labels) => keepsAmbientLabel(labels, entry, released));
            new k8s.core.v1.NamespacePatch(
                `${name}-${namespace}`,
                { metadata: { name: existing.metadata.name, labels: keeps.apply((k) => dataPlaneLabels(entry, k)) } },
                childOptions(this, opts),
            );
            captured.push(keeps.apply((k) => ("ambient" in entry || k ? namespace : undefined)));
            return existing.metadata.labels.apply((labels) => {
                const keepsLabel = keepsAmbientLabel(labels, entry, released);
                const owedRestart =
                    "tag" in entry &&
                    ((entry.tag === DEFAULT_TAG && args.defaultTagRestartOwed === true) ||
                        args.sidecarsOweHbone === true);
                const restart = !alreadyServed(labels, entry) || owedRestart ? [restartCommand(namespace)] : [];
                const { notes, warn } = ambientNotes(
                    labels,
                    entry,
                    args.releaseSetting ?? "ambientReleasedNamespaces",
                    keepsLabel,
                );
                // Shown in the preview, before the step changes what ztunnel enforces or captures.
                if (warn) {
                    for (const note of notes) {
                        void pulumi.log.warn(note.replace(/^# /, ""), this);
                    }
                }
                return [...restart, ...notes];
            });
        });
        this.restartCommands = pulumi.all(owed).apply((lists) => lists.flat());
        this.capturedNamespaces = pulumi
            .all(captured)
            .apply((names) => names.filter((n): n is string => n !== undefined));
        this.registerOutputs({
            namespaces: this.namespaces,
            ambientNamespaces: this.ambientNamespaces,
            capturedNamespaces: this.capturedNamespaces,
            restartCommands: this.restartCommands,
        });
    }
}

import { deployables } from "../apiserver/deployables";
import type { K8sObject, StackRender } from "../support/render";
import { byCodePoint } from "../support/order";
import { matches } from "../support/webhooks";

/**
 * What a cluster holds after one stack or upgrade step, as Istio would see it: every object the
 * program puts there (its charts' and its own, secrets in plain form), the namespaces with the
 * labels the step leaves on them, and, since no kubelet runs here, one pod per workload, as its
 * controller would create it and the injection webhook the step's labels select would inject
 * it. Shared by the analyzers' test (npm test) and the istiod suite (npm run test:apiserver).
 */

/** The sidecar's container, as Istio names it. */
export const PROXY_CONTAINER = "istio-proxy";

/** Whether an object is a workload whose controller would create pods. */
const WORKLOAD_KINDS = new Set(["Deployment", "DaemonSet", "StatefulSet"]);

/** Labels of every namespace the step touches: each created Namespace, then each label patch over it. */
export function namespaceLabels(objects: readonly K8sObject[]): Record<string, Record<string, string>> {
    const labels: Record<string, Record<string, string>> = {};
    for (const ns of objects.filter((o) => o.kind === "Namespace")) {
        labels[ns.metadata.name] = { ...labels[ns.metadata.name], ...ns.metadata.labels };
    }
    return labels;
}

/**
 * Every object of the step, created or patched, with one Namespace per namespace name: a label
 * patch (on `default`, or on `shop`, which the cluster already holds) merges into the Namespace
 * it patches, as the server merges a server-side apply.
 */
export function stepObjects(render: StackRender): K8sObject[] {
    const all = deployables(render).map((d) => d.object as K8sObject);
    const labels = namespaceLabels(all);
    const namespaces = Object.keys(labels)
        .sort(byCodePoint)
        .map(
            (name): K8sObject => ({
                apiVersion: "v1",
                kind: "Namespace",
                metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels[name] } },
            }),
        );
    return [...namespaces, ...all.filter((o) => o.kind !== "Namespace")];
}

/** One injection webhook with the revision its configuration serves. */
interface RevisionWebhook {
    configuration: string;
    revision: string;
    namespaceSelector: object;
    objectSelector: object;
}

/** Istio's sidecar-injection webhooks among `objects`, each with the revision its configuration carries. */
function injectionWebhooks(objects: readonly K8sObject[]): RevisionWebhook[] {
    return objects
        .filter((o) => o.kind === "MutatingWebhookConfiguration")
        .flatMap((o) =>
            ((o.webhooks as { name: string; namespaceSelector?: object; objectSelector?: object }[]) ?? [])
                .filter((w) => w.name.endsWith("sidecar-injector.istio.io"))
                .map((w) => ({
                    configuration: o.metadata.name,
                    revision: o.metadata.labels?.["istio.io/rev"] ?? "",
                    namespaceSelector: w.namespaceSelector ?? {},
                    objectSelector: w.objectSelector ?? {},
                })),
        );
}

/** The revisions whose webhooks would inject a pod with `podLabels` in a namespace with `nsLabels`, in order. */
export function injectingRevisions(
    objects: readonly K8sObject[],
    nsLabels: Record<string, string>,
    podLabels: Record<string, string>,
): string[] {
    const revisions = injectionWebhooks(objects)
        .filter((w) =>
            matches(
                { name: w.configuration, namespaceSelector: w.namespaceSelector, objectSelector: w.objectSelector },
                nsLabels,
                podLabels,
            ),
        )
        .map((w) => w.revision);
    return [...new Set(revisions)].sort(byCodePoint);
}

interface InjectorGlobals {
    hub: string;
    tag: string;
    variant?: string;
    proxy: { image: string; resources?: Record<string, Record<string, string>> };
}

/** The `global` values a revision's injector reads (ConfigMap istio-sidecar-injector-<revision>). */
function injectorGlobals(objects: readonly K8sObject[], revision: string): InjectorGlobals | undefined {
    const injector = objects.find(
        (o) => o.kind === "ConfigMap" && o.metadata.name === `istio-sidecar-injector-${revision}`,
    );
    const values = (injector?.data as Record<string, string> | undefined)?.values;
    return values === undefined ? undefined : (JSON.parse(values) as { global: InjectorGlobals }).global;
}

/**
 * The proxy image a revision injects: `<hub>/<image>:<tag>` from its injector's values, with
 * `-<variant>` when the values name one (the ambient profile's `distroless`), as the injection
 * template writes it.
 */
export function proxyImage(objects: readonly K8sObject[], revision: string): string | undefined {
    const global = injectorGlobals(objects, revision);
    if (global === undefined) return undefined;
    const image = global.proxy.image.includes("/")
        ? global.proxy.image
        : `${global.hub}/${global.proxy.image}:${global.tag}`;
    return global.variant ? `${image}-${global.variant}` : image;
}

/** The sidecar's requests and limits a revision injects into an application pod: its values' `global.proxy.resources`. */
export function proxyResources(objects: readonly K8sObject[], revision: string): object | undefined {
    return injectorGlobals(objects, revision)?.proxy.resources;
}

interface PodTemplate {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: { containers: { name: string; image?: string }[]; [field: string]: unknown };
}

/**
 * The pod a workload's controller would create, injected as the webhook that selects it would
 * inject it: the proxy container gets the revision's image (a gateway's `image: auto` replaced),
 * with the labels and the status annotation the injector writes. A pod no webhook selects keeps
 * its template as it is; one that two select is injected by neither, since the analyzers report
 * the overlap.
 */
export function podFor(workload: K8sObject, objects: readonly K8sObject[]): K8sObject {
    const template = (workload.spec as { template: PodTemplate }).template;
    const namespace = workload.metadata.namespace ?? "default";
    const labels = { ...template.metadata?.labels };
    const annotations = { ...template.metadata?.annotations };
    const revisions = injectingRevisions(objects, namespaceLabels(objects)[namespace] ?? {}, labels);
    let containers = template.spec.containers;
    const image = revisions.length === 1 ? proxyImage(objects, revisions[0]) : undefined;
    if (image !== undefined) {
        const revision = revisions[0];
        const hasProxy = containers.some((c) => c.name === PROXY_CONTAINER);
        containers = hasProxy
            ? containers.map((c) => (c.name === PROXY_CONTAINER ? { ...c, image } : c))
            : [...containers, { name: PROXY_CONTAINER, image }];
        Object.assign(labels, {
            "istio.io/rev": revision,
            "security.istio.io/tlsMode": "istio",
            "service.istio.io/canonical-name": labels.app ?? workload.metadata.name,
        });
        annotations["sidecar.istio.io/status"] = JSON.stringify({ containers: [PROXY_CONTAINER], revision });
    }
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `${workload.metadata.name}-pod`, namespace, labels, annotations },
        spec: { ...template.spec, containers },
    };
}

/** One pod per Deployment, DaemonSet and StatefulSet of the step. */
export function workloadPods(objects: readonly K8sObject[]): K8sObject[] {
    return objects.filter((o) => WORKLOAD_KINDS.has(o.kind)).map((workload) => podFor(workload, objects));
}

/** One istiod revision of a step: its name, and the mesh config its ConfigMap gives it. */
export interface RevisionConfig {
    revision: string;
    /** The `mesh` key of ConfigMap istio-<revision>: what istiod reads as its mesh config. */
    meshConfig: string;
}

/** Each revision the step runs, from the rendered istiod ConfigMaps `istio-<revision>` in order. */
export function revisionConfigs(objects: readonly K8sObject[]): RevisionConfig[] {
    return objects
        .filter(
            (o) =>
                o.kind === "ConfigMap" &&
                o.metadata.labels?.["istio.io/rev"] !== undefined &&
                o.metadata.name === `istio-${o.metadata.labels["istio.io/rev"]}`,
        )
        .map((o) => ({
            revision: o.metadata.labels?.["istio.io/rev"] as string,
            meshConfig: (o.data as Record<string, string>).mesh,
        }))
        .sort((a, b) => byCodePoint(a.revision, b.revision));
}

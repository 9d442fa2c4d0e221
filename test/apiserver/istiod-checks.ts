import * as yaml from "js-yaml";
import { proxyImage, PROXY_CONTAINER, proxyResources } from "../istio/mesh-objects";
import type { K8sObject, StackRender } from "../support/render";
import { KubeClient, KubeObject } from "./client";
import { ISTIOD_PORTS, Istiod, memoryBytes } from "./istiod";

/**
 * What the suite asks of a running istiod after a step: injection by the revision the plan
 * names, its webhooks as we configured them, the mesh config it runs with, and what it logged.
 * Each check returns the problems it found, one line each, naming what it is about.
 */

/** Where the plan says a pod made from `pod` in `namespace` must get its sidecar; undefined for none. */
export interface InjectionExpectation {
    namespace: string;
    /** What the pod is: `a new pod` or the gateway's Deployment it comes from. */
    what: string;
    pod: {
        metadata: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
        spec: { serviceAccountName?: string; [field: string]: unknown };
    };
    revision: string | undefined;
}

const APP_POD = {
    metadata: { name: "injection-probe", labels: { app: "injection-probe" } },
    spec: { containers: [{ name: "app", image: "registry.example/app:1" }] },
};

const NEW_POD = "a new pod";

/** A new application pod in `namespace`, which the plan says `revision` injects (none: no sidecar). */
export function newPod(namespace: string, revision: string | undefined): InjectionExpectation {
    return { namespace, what: NEW_POD, pod: APP_POD, revision };
}

/**
 * The plan's injection, from the stack outputs the engine would save for the step (the mesh's
 * outputs resolve only once its record is applied): each injection namespace on the revision
 * its tag points to (`canary` for canaryNamespaces, `default` for the rest), ambient
 * namespaces on none, and each gateway's pod on the `default` tag's revision.
 */
export function plannedInjection(render: StackRender, objects: readonly K8sObject[]): InjectionExpectation[] {
    if (render.run.savedOutputs === undefined) {
        throw new Error(`the step saved no stack outputs: ${render.run.error?.message ?? "an output never resolved"}`);
    }
    const outputs = render.run.savedOutputs as {
        controlPlanes: Record<string, { tag: string }>;
        injectionNamespaces: string[];
        canaryNamespaces?: string[];
        ambientNamespaces?: string[];
    };
    const tagged = (tag: string): string | undefined => {
        const name = Object.keys(outputs.controlPlanes).find((n) => outputs.controlPlanes[n].tag === tag);
        return name?.replace(/^istiod-/, "");
    };
    const canary = outputs.canaryNamespaces ?? [];
    const namespaces: InjectionExpectation[] = [
        ...outputs.injectionNamespaces.map((namespace) =>
            newPod(namespace, tagged(canary.includes(namespace) ? "canary" : "default")),
        ),
        ...(outputs.ambientNamespaces ?? []).map((namespace) => newPod(namespace, undefined)),
    ];
    const gateways = objects
        .filter((o) => o.kind === "Deployment" && /^istio-(ingress|egress)gateway$/.test(o.metadata.name))
        .map((deployment) => ({
            namespace: deployment.metadata.namespace as string,
            what: `a pod of Deployment ${deployment.metadata.name}`,
            pod: { ...(deployment.spec as { template: InjectionExpectation["pod"] }).template },
            revision: tagged("default"),
        }));
    return [...namespaces, ...gateways];
}

/** The revision, proxy image and proxy resources a created pod got: its sidecar status annotation and istio-proxy container. */
function injectedBy(pod: KubeObject): { revision?: string; image?: string; resources?: object } {
    const status = pod.metadata.annotations?.["sidecar.istio.io/status"];
    type Container = { name: string; image: string; resources?: object };
    const spec = pod.spec as { containers: Container[]; initContainers?: Container[] };
    // From Kubernetes 1.33 on, Istio injects the proxy as a native sidecar: an init container that keeps running.
    const containers = [...spec.containers, ...(spec.initContainers ?? [])];
    const proxy = containers.find((c) => c.name === PROXY_CONTAINER);
    return {
        revision: status === undefined ? undefined : (JSON.parse(status) as { revision?: string }).revision,
        image: proxy?.image,
        resources: proxy?.resources,
    };
}

/**
 * Creates each expected pod (a dry run: admission, injection included, runs; nothing is stored)
 * and compares who injected it with the plan: `<namespace>: <what> expected <revision>
 * (<image>), got <revision> (<image>)`, or the API server's refusal.
 */
export async function injectionProblems(
    client: KubeClient,
    objects: readonly K8sObject[],
    expectations: readonly InjectionExpectation[],
): Promise<string[]> {
    const problems: string[] = [];
    for (const e of expectations) {
        const pod = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { ...e.pod.metadata, name: e.pod.metadata.name ?? "injection-probe", namespace: e.namespace },
            spec: e.pod.spec,
        };
        const reply = await client.raw(
            "POST",
            `/api/v1/namespaces/${e.namespace}/pods?dryRun=All`,
            JSON.stringify(pod),
        );
        if (reply.status !== 201) {
            problems.push(`${e.namespace}: ${e.what} was refused (${reply.status}): ${reply.body.slice(0, 500)}`);
            continue;
        }
        const got = injectedBy(JSON.parse(reply.body) as KubeObject);
        const want = { revision: e.revision, image: e.revision && proxyImage(objects, e.revision) };
        const show = (v: { revision?: string; image?: string }): string =>
            v.revision === undefined && v.image === undefined
                ? "no sidecar"
                : `revision ${v.revision} (${v.image ?? "no injector of that revision"})`;
        if (got.revision !== want.revision || got.image !== want.image) {
            problems.push(`${e.namespace}: ${e.what} expected ${show(want)}, got ${show(got)}`);
        } else if (e.revision !== undefined && e.what === NEW_POD) {
            // The values reach the sidecar: an application pod's proxy is sized by global.proxy.resources.
            const resources = proxyResources(objects, e.revision);
            if (JSON.stringify(quantities(got.resources)) !== JSON.stringify(quantities(resources))) {
                problems.push(
                    `${e.namespace}: ${e.what}'s sidecar has resources ${JSON.stringify(got.resources)}, ` +
                        `the values of ${e.revision} set ${JSON.stringify(resources)}`,
                );
            }
        }
    }
    return problems;
}

/**
 * Requests and limits as numbers (`1000m` and `1` are one CPU; `64Mi` is bytes): the API server
 * writes a quantity in its canonical form, not as the values spell it.
 */
function quantities(resources: object | undefined): Record<string, Record<string, number>> {
    const value = (q: string): number => (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : memoryBytes(q));
    return Object.fromEntries(
        Object.entries((resources ?? {}) as Record<string, Record<string, string>>)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([kind, byResource]) => [
                kind,
                Object.fromEntries(
                    Object.entries(byResource)
                        .sort(([a], [b]) => (a < b ? -1 : 1))
                        .map(([r, q]) => [r, value(q)]),
                ),
            ]),
    );
}

/** Each rendered webhook whose live failure policy is not the one we set, or that carries no CA bundle. */
export async function webhookProblems(client: KubeClient, objects: readonly K8sObject[]): Promise<string[]> {
    const problems: string[] = [];
    type Hook = { name: string; failurePolicy?: string; clientConfig: { caBundle?: string } };
    for (const config of objects.filter((o) => o.kind.endsWith("WebhookConfiguration"))) {
        const live = await client.get(config);
        const liveHooks = (live?.webhooks ?? []) as Hook[];
        for (const hook of config.webhooks as Hook[]) {
            const found = liveHooks.find((h) => h.name === hook.name);
            const where = `${config.kind} ${config.metadata.name}/${hook.name}`;
            if (found === undefined) problems.push(`${where}: missing`);
            else if (found.failurePolicy !== (hook.failurePolicy ?? "Fail")) {
                problems.push(`${where}: failurePolicy ${found.failurePolicy}, we set ${hook.failurePolicy ?? "Fail"}`);
            } else if (!found.clientConfig.caBundle) problems.push(`${where}: no caBundle`);
        }
    }
    return problems;
}

/** How many admission requests istiod's validating webhook passed, from its own metrics. */
export async function validationsPassed(istiod: Istiod): Promise<number> {
    const { body } = await istiod.httpGet(ISTIOD_PORTS.monitoring, "/metrics");
    return body
        .split("\n")
        .filter((line) => line.startsWith("galley_validation_passed"))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

/** Each key of the rendered mesh config whose value istiod does not run with (`/debug/mesh`). */
export async function meshConfigProblems(istiod: Istiod, rendered: string): Promise<string[]> {
    const { status, body } = await istiod.httpGet(ISTIOD_PORTS.http, "/debug/mesh");
    if (status !== 200) return [`istiod ${istiod.spec.revision}: /debug/mesh answered ${status}`];
    const running = JSON.parse(body) as Record<string, unknown>;
    const want = yaml.load(rendered) as Record<string, unknown>;
    return differences(want, running, "").map((d) => `istiod ${istiod.spec.revision}: mesh config ${d}`);
}

/** Where `actual` lacks or differs from a value `expected` sets; keys `expected` omits are defaults, not compared. */
function differences(expected: unknown, actual: unknown, at: string): string[] {
    if (typeof expected === "object" && expected !== null && !Array.isArray(expected)) {
        const object = (actual ?? {}) as Record<string, unknown>;
        return Object.entries(expected).flatMap(([key, value]) => differences(value, object[key], `${at}.${key}`));
    }
    if (Array.isArray(expected) && Array.isArray(actual)) {
        // A list of named entries (extensionProviders) is compared by name: istiod adds its
        // default providers to the ones configured.
        const named = expected.every((e) => typeof (e as { name?: unknown })?.name === "string");
        if (named) {
            return expected.flatMap((value: { name: string }) =>
                differences(
                    value,
                    actual.find((a: { name?: string }) => a?.name === value.name),
                    `${at}[${value.name}]`,
                ),
            );
        }
        if (expected.length === actual.length) {
            return expected.flatMap((value, i) => differences(value, actual[i], `${at}[${i}]`));
        }
    }
    return JSON.stringify(expected) === JSON.stringify(actual)
        ? []
        : [`${at.slice(1)}: rendered ${JSON.stringify(expected)}, running ${JSON.stringify(actual)}`];
}

/**
 * Error lines istiod logs that are not about our configuration, each with its reason. Every
 * other error line fails the step.
 */
const TOLERATED_ERRORS: readonly { pattern: RegExp; reason: string }[] = [
    {
        // Seen in about half the runs of ambient-1-enable, where istiod restarts with the Gateway API CRDs there.
        pattern:
            /\terror handling [\w-]*, retrying \(retry count: 1\): gatewayclasses\.gateway\.networking\.k8s\.io "[\w-]+" already exists\tcontroller=gateway class$/,
        reason:
            "istiod's GatewayClass controller creates its default classes; when its cache has not seen one yet, " +
            "its create meets AlreadyExists and the queue retries it (pkg/kube/controllers/queue.go), which then " +
            "finds the class: a race inside istiod that one retry resolves, not a fault of the mesh config or values",
    },
    {
        // Seen in ambient-rollback-1-remove-waypoint, which deletes shop's waypoint.
        pattern:
            /\terror handling [\w-]+\/[\w-]+, retrying \(retry count: 1\): update gateway annotation: gateways\.gateway\.networking\.k8s\.io "[\w-]+" not found\tcontroller=gateway deployment$/,
        reason:
            "istiod's gateway deployment controller was reconciling the waypoint Gateway the step deletes; its " +
            "annotation update meets NotFound and the retry finds the Gateway gone: istiod following our delete",
    },
    {
        // Seen in ambient-5-promote, where both revisions' istiods restart at once.
        pattern:
            /\terror\tklog\tFailed to update lock: Operation cannot be fulfilled on [\w.]+ "[\w-]+": the object has been modified; please apply your changes to the latest version and try again$/,
        reason:
            "two istiods (two revisions) take the same leader-election lock; client-go's leader election " +
            "writes it with optimistic concurrency, logs the conflict at error level and tries again: the " +
            "lock doing its job, as in any cluster during a rollout",
    },
];

/** The lines istiod logged at error level since `offset` of its log (Istio's format is `<time>\t<level>\t...`). */
export function loggedErrors(istiod: Istiod, offset = 0): string[] {
    return istiod
        .log()
        .slice(offset)
        .split("\n")
        .filter((line) => /^\S+\terror\t/.test(line) && !TOLERATED_ERRORS.some((t) => t.pattern.test(line)))
        .map((line) => `istiod ${istiod.spec.revision}: ${line}`);
}

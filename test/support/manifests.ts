import { MI, parseQuantity } from "../../components/args/quantity";
import { K8sObject, RenderedRelease } from "./render";

/** Queries over rendered objects: workloads, their containers and requests, Services. */

type Tree = Record<string, unknown>;

export interface Container {
    name: string;
    image?: string;
    args?: string[];
    restartPolicy?: string;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    ports?: { containerPort: number; name?: string }[];
    [field: string]: unknown;
}

export interface PodSpec {
    containers: Container[];
    initContainers?: Container[];
    [field: string]: unknown;
}

/** A rendered object with the release it came from. */
export interface Placed {
    release: RenderedRelease;
    object: K8sObject;
}

export function label(object: K8sObject): string {
    return `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}`;
}

export function allObjects(releases: readonly RenderedRelease[]): Placed[] {
    return releases.flatMap((release) => release.objects.map((object) => ({ release, object })));
}

/** The pod template of a workload, or undefined for an object that runs no pods. */
export function podSpecOf(object: K8sObject): PodSpec | undefined {
    const spec = object.spec as Tree | undefined;
    switch (object.kind) {
        case "Pod":
            return spec as unknown as PodSpec;
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return (spec?.template as Tree | undefined)?.spec as PodSpec | undefined;
        case "CronJob":
            return (((spec?.jobTemplate as Tree | undefined)?.spec as Tree | undefined)?.template as Tree | undefined)
                ?.spec as PodSpec | undefined;
        default:
            return undefined;
    }
}

/** Every container of a pod, init containers included, with where it sits. */
export function containersOf(pod: PodSpec): { field: "containers" | "initContainers"; container: Container }[] {
    return [
        ...(pod.initContainers ?? []).map((container) => ({ field: "initContainers" as const, container })),
        ...pod.containers.map((container) => ({ field: "containers" as const, container })),
    ];
}

function memoryMi(container: Container): number {
    const text = container.resources?.requests?.memory;
    return text === undefined ? 0 : (parseQuantity(text) ?? NaN) / MI;
}

/**
 * What the scheduler reserves for one pod: its containers plus the init containers that
 * keep running beside them (`restartPolicy: Always`), or the largest init container that
 * runs alone before them, whichever is more.
 */
export function podMemoryRequestMi(pod: PodSpec): number {
    const init = pod.initContainers ?? [];
    const sidecars = init.filter((container) => container.restartPolicy === "Always");
    const running = [...pod.containers, ...sidecars].reduce((sum, container) => sum + memoryMi(container), 0);
    const alone = init.filter((container) => container.restartPolicy !== "Always").map(memoryMi);
    return Math.max(running, ...alone);
}

/**
 * Pods a workload always runs: its autoscaler's minimum when one targets it, one per node
 * for a DaemonSet (`nodes`, the cluster's, as `istio-mesh:nodes` says), else its replicas.
 */
export function guaranteedPods(workload: K8sObject, objects: readonly K8sObject[], nodes = 1): number {
    const autoscaler = objects.find((object) => {
        const target = (object.spec as Tree | undefined)?.scaleTargetRef as Tree | undefined;
        return (
            object.kind === "HorizontalPodAutoscaler" &&
            object.metadata.namespace === workload.metadata.namespace &&
            target?.kind === workload.kind &&
            target?.name === workload.metadata.name
        );
    });
    if (autoscaler !== undefined) {
        return Number((autoscaler.spec as Tree).minReplicas ?? 1);
    }
    if (workload.kind === "DaemonSet") {
        return nodes;
    }
    return workload.kind === "Pod" ? 1 : Number((workload.spec as Tree).replicas ?? 1);
}

export interface ServicePort {
    port: number;
    name?: string;
    targetPort?: number | string;
    nodePort?: number;
}

/** The rendered Service `namespace/name`, or undefined. */
export function findService(
    releases: readonly RenderedRelease[],
    namespace: string,
    name: string,
): K8sObject | undefined {
    return allObjects(releases)
        .map(({ object }) => object)
        .find(
            (object) =>
                object.kind === "Service" &&
                object.apiVersion === "v1" &&
                object.metadata.namespace === namespace &&
                object.metadata.name === name,
        );
}

export function servicePorts(service: K8sObject): ServicePort[] {
    return ((service.spec as Tree).ports as ServicePort[] | undefined) ?? [];
}

/** The one rendered object of `kind` named `name` in a release; throws if not exactly one. */
export function theObject(release: RenderedRelease, kind: string, name: string): K8sObject {
    const found = release.objects.filter((object) => object.kind === kind && object.metadata.name === name);
    if (found.length !== 1) {
        throw new Error(`release ${release.release}: expected one ${kind} ${name}, found ${found.length}`);
    }
    return found[0];
}

export function releaseOf(releases: readonly RenderedRelease[], release: string): RenderedRelease {
    const found = releases.find((r) => r.release === release);
    if (found === undefined) {
        throw new Error(`no rendered release ${release}; rendered: ${releases.map((r) => r.release).join(", ")}`);
    }
    return found;
}

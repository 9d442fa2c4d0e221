import { stepObjects } from "../istio/mesh-objects";
import type { StackRender } from "../support/render";
import { KubeClient } from "./client";
import { IstiodBed } from "./istiod-bed";
import {
    injectionProblems,
    loggedErrors,
    meshConfigProblems,
    plannedInjection,
    webhookProblems,
} from "./istiod-checks";
import { ensureServiceAccount } from "./service-accounts";
import { chainProblems, meshRoot, publishedRoot, workloadCertificate } from "./workload-certificate";

/**
 * One stack or step applied to the bed with its istiods, and everything checked about it,
 * gathered so that one failure shows all: a test compares the record with NO_ISTIOD_PROBLEMS.
 */

export interface IstiodProblems {
    /** What the API server refused, istiod's validating webhook included: object and message. */
    refusals: string[];
    /** Istio resources that did not go through istiod's webhook. */
    unvalidated: string[];
    /** Webhooks whose live failure policy is not ours, or that have no CA bundle. */
    webhooks: string[];
    /** Mesh config keys istiod does not run with as rendered. */
    meshConfig: string[];
    /** Lines istiod logged at error level. */
    loggedErrors: string[];
    /** Pods injected by another revision than the plan names, or not at all. */
    injection: string[];
    /** Workload certificates not chained to the mesh root. */
    certificates: string[];
    /** istiods whose resident memory exceeds the request the sizing table gives them. */
    memory: string[];
}

export const NO_ISTIOD_PROBLEMS: IstiodProblems = {
    refusals: [],
    unvalidated: [],
    webhooks: [],
    meshConfig: [],
    loggedErrors: [],
    injection: [],
    certificates: [],
    memory: [],
};

/** The workload whose certificate each istiod is asked for. */
const WORKLOAD = { namespace: "default", serviceAccount: "default" };

async function certificateProblems(client: KubeClient, bed: IstiodBed): Promise<string[]> {
    const namespace = [...bed.istiods.values()][0]?.spec.namespace ?? "istio-system";
    const root = await meshRoot(client, namespace);
    const trusted = (await publishedRoot(client, namespace)) ?? root;
    const spiffeId = `spiffe://cluster.local/ns/${WORKLOAD.namespace}/sa/${WORKLOAD.serviceAccount}`;
    const problems: string[] = [];
    for (const istiod of bed.istiods.values()) {
        try {
            const chain = await workloadCertificate(
                client,
                istiod,
                WORKLOAD.namespace,
                WORKLOAD.serviceAccount,
                trusted,
            );
            problems.push(...chainProblems(chain, root, spiffeId).map((p) => `istiod ${istiod.spec.revision}: ${p}`));
        } catch (error) {
            problems.push(`istiod ${istiod.spec.revision}: no workload certificate: ${(error as Error).message}`);
        }
    }
    return problems;
}

/** What was measured of each istiod in a step, for the suite's output and the docs. */
export function measurements(bed: IstiodBed, readyAfterMs: Record<string, number>): string[] {
    return [...bed.istiods.values()].map((istiod) => {
        const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;
        const ready = readyAfterMs[istiod.spec.revision];
        return (
            `istiod ${istiod.spec.revision}: ${ready === undefined ? "kept running" : `ready in ${(ready / 1000).toFixed(1)} s`}, ` +
            `resident ${mib(istiod.residentMemory())} against its request of ${mib(istiod.spec.memoryRequest)}`
        );
    });
}

/** Applies `render` to the bed and runs every check; resolves to the problems and what was measured. */
export async function applyAndCheckIstiod(
    bed: IstiodBed,
    render: StackRender,
): Promise<{ problems: IstiodProblems; measured: string[] }> {
    const client = bed.client;
    const objects = stepObjects(render);
    const expectations = plannedInjection(render, objects);
    const outcome = await bed.apply(render);
    // No controller-manager: each namespace that gets a pod of its default ServiceAccount needs it made.
    const podNamespaces = expectations
        .filter((e) => e.pod.spec.serviceAccountName === undefined)
        .map((e) => e.namespace);
    for (const namespace of new Set([WORKLOAD.namespace, ...podNamespaces])) {
        await ensureServiceAccount(client, namespace);
    }
    const meshConfigs = new Map(
        objects
            .filter((o) => o.kind === "ConfigMap" && o.metadata.name === `istio-${o.metadata.labels?.["istio.io/rev"]}`)
            .map((o) => [o.metadata.labels?.["istio.io/rev"], (o.data as Record<string, string>).mesh]),
    );
    const istiods = [...bed.istiods.values()];
    const meshConfig: string[] = [];
    for (const istiod of istiods) {
        meshConfig.push(...(await meshConfigProblems(istiod, meshConfigs.get(istiod.spec.revision) ?? "{}")));
    }
    const unvalidated =
        outcome.validated >= outcome.istioResources.length
            ? []
            : [
                  `${outcome.istioResources.length} Istio resources applied, istiod's webhook passed ${outcome.validated}`,
              ];
    const problems: IstiodProblems = {
        refusals: outcome.refusals,
        unvalidated,
        webhooks: await webhookProblems(client, objects),
        meshConfig,
        loggedErrors: istiods.flatMap((istiod) => loggedErrors(istiod, bed.logOffset(istiod))),
        injection: await injectionProblems(client, objects, expectations),
        certificates: await certificateProblems(client, bed),
        memory: istiods
            .filter((istiod) => istiod.residentMemory() > istiod.spec.memoryRequest)
            .map((istiod) => `istiod ${istiod.spec.revision}: resident ${istiod.residentMemory()} B over its request`),
    };
    return { problems, measured: measurements(bed, outcome.readyAfterMs) };
}

import type { ProgramRun } from "./program";
import type { K8sObject, RenderedRelease } from "./render";

/**
 * The Kubernetes objects a program registers itself, outside any chart (the sample
 * application's), as the engine would apply them: each resource's inputs, which carry its
 * apiVersion and kind, all or those of one namespace (and the namespace itself). Reads and
 * patches are left out: they apply no whole object.
 */
export function registeredObjects(run: Pick<ProgramRun, "registrations">, namespace?: string): K8sObject[] {
    return run.registrations
        .filter(
            (r) =>
                r.custom &&
                r.readId === undefined &&
                r.type.startsWith("kubernetes:") &&
                !r.type.startsWith("kubernetes:helm.sh/") &&
                !r.type.endsWith("Patch"),
        )
        .map((r) => r.inputs as unknown as K8sObject)
        .filter(
            (object) =>
                namespace === undefined ||
                object.metadata.namespace === namespace ||
                object.metadata.name === namespace,
        );
}

/** Those objects as one more release, so that the checks on rendered objects read them too. */
export function registeredRelease(run: Pick<ProgramRun, "registrations">, namespace?: string): RenderedRelease {
    return {
        resourceName: "(registered)",
        release: "(registered)",
        namespace: "default",
        chart: "(none)",
        version: "",
        skipCrds: true,
        values: {},
        objects: registeredObjects(run, namespace),
        manifest: "",
    };
}

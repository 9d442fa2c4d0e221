import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { MESH_INVARIANTS } from "../../components/policies/invariants";
import { DEFAULT_UNPROTECTED_STACKS, InvariantConfig } from "../../components/policies/scope";
import type { K8sObject, StackRender } from "./render";

/**
 * What a policy pack sees of a stack, and the pack run over it as the engine runs it: every
 * resource the program registers, and every object a chart renders (Chart v4 registers each
 * as a resource of its own).
 */

/** The resource type Pulumi gives a Kubernetes object: `kubernetes:core/v1:ConfigMap`. */
function typeOf(object: K8sObject): string {
    const [group, version] = object.apiVersion.includes("/")
        ? object.apiVersion.split("/")
        : ["core", object.apiVersion];
    return `kubernetes:${group}/${version}:${object.kind}`;
}

export function policyResources(render: StackRender): PolicyResource[] {
    const registered = render.run.registrations.map(
        (r) => ({ type: r.type, props: r.inputs, urn: r.urn, name: r.name }) as PolicyResource,
    );
    const rendered = render.releases.flatMap((release) =>
        release.objects.map((object) => {
            const type = typeOf(object);
            const name = `${release.release}:${object.metadata.namespace ?? ""}/${object.metadata.name}`;
            return {
                type,
                props: object as unknown as Record<string, unknown>,
                urn: `urn:pulumi:${render.stack}::istio-mesh::kubernetes:helm.sh/v4:Chart$${type}::${name}`,
                name,
            } as PolicyResource;
        }),
    );
    return [...registered, ...rendered];
}

/** Every violation the pack reports over `resources`, as `policy: message`. */
export async function violationsOf(
    resources: readonly PolicyResource[],
    config: InvariantConfig = { unprotectedStacks: DEFAULT_UNPROTECTED_STACKS },
): Promise<string[]> {
    const found: string[] = [];
    const report =
        (policy: string): ReportViolation =>
        (message) =>
            found.push(`${policy}: ${message}`);
    const getConfig = <T extends object>(): T => config as unknown as T;
    for (const policy of MESH_INVARIANTS) {
        if ("validateStack" in policy) {
            await policy.validateStack(
                { resources: [...resources], getConfig, stackTags: new Map() } as never,
                report(policy.name),
            );
        } else if (typeof policy.validateResource === "function") {
            for (const resource of resources) {
                await policy.validateResource(
                    { ...resource, getConfig, stackTags: new Map() } as never,
                    report(policy.name),
                );
            }
        }
    }
    return found;
}

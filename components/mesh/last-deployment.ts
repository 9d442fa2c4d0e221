import * as pulumi from "@pulumi/pulumi";
import type { LastControlPlanes, LastDeployment } from "../args/upgrade-guard";

/** The organization the DIY backends (file, S3, ...) report: they have none. */
const DIY_ORGANIZATION = "organization";

/** The name a StackReference to this stack goes by on its backend. */
export function selfReferenceName(organization: string, project: string, stack: string): string {
    return organization === DIY_ORGANIZATION ? stack : `${organization}/${project}/${stack}`;
}

/**
 * What the stack's last deployment ran, from its own outputs (`controlPlanes`,
 * `canaryNamespaces`, `ambientNamespaces`, `capturedNamespaces`, and a mesh of several's `clusters`): a StackReference to this stack reads the outputs its last update
 * saved. Chosen over reading the `default` tag's webhook in the cluster because a read of a
 * missing object fails the whole deployment, so a first install could not read it, and
 * because the preview then needs no more rights than it has. A stack with no deployment yet
 * has no outputs: nothing ran, nothing can be deleted.
 *
 * Pulumi Cloud needs the full `org/project/stack` name. A DIY backend takes a bare stack
 * name in both its layouts, and its legacy layout (a `~/.pulumi` from before projects)
 * refuses a name with slashes.
 */
export async function readLastDeployment(): Promise<LastDeployment & { readonly clusters?: readonly string[] }> {
    const name = selfReferenceName(pulumi.getOrganization(), pulumi.getProject(), pulumi.getStack());
    const self = new pulumi.StackReference("last-deployment", { name });
    const [controlPlanes, canaryNamespaces, ambientNamespaces, capturedNamespaces, clusters] = await Promise.all([
        self.getOutputDetails("controlPlanes"),
        self.getOutputDetails("canaryNamespaces"),
        self.getOutputDetails("ambientNamespaces"),
        self.getOutputDetails("capturedNamespaces"),
        self.getOutputDetails("clusters"),
    ]);
    return {
        // A mesh of several clusters outputs its clusters by name, not a control plane.
        ...(clusters.value !== undefined &&
            clusters.value !== null && { clusters: Object.keys(clusters.value as Record<string, unknown>).sort() }),
        ...(controlPlanes.value !== undefined && { controlPlanes: controlPlanes.value as LastControlPlanes }),
        ...(canaryNamespaces.value !== undefined && { canaryNamespaces: canaryNamespaces.value as string[] }),
        ...(ambientNamespaces.value !== undefined && { ambientNamespaces: ambientNamespaces.value as string[] }),
        ...(capturedNamespaces.value !== undefined && { capturedNamespaces: capturedNamespaces.value as string[] }),
    };
}

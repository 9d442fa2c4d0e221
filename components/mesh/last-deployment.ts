import * as pulumi from "@pulumi/pulumi";
import type { LastControlPlanes } from "../config/revisions";

/**
 * What the stack's last deployment ran, from its own outputs: a StackReference to this
 * stack reads the outputs its last successful update saved (an `up` saves them only at its
 * end). Chosen over reading the `default` tag's webhook in the cluster because a read of a
 * missing object fails the whole deployment, so a first install could not read it, and
 * because the preview then needs no more rights than it has. A stack with no deployment yet
 * has no outputs: nothing ran, nothing can be deleted.
 */
export async function readLastControlPlanes(): Promise<LastControlPlanes | undefined> {
    const self = new pulumi.StackReference("last-deployment", {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const details = await self.getOutputDetails("controlPlanes");
    return details.value as LastControlPlanes | undefined;
}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../chart";
import { TagTarget } from "../args/revisions";
import { revisionTagService, revisionTagWebhook } from "../values/revision-tags";

export interface RevisionTagsArgs {
    /** Namespace of the control planes the tags point into. */
    namespace: string;
    /** Each tag and its revision: `default` always, `canary` while a canary runs. */
    tags: readonly TagTarget[];
}

/**
 * The revision tags: for each, the injection webhook configuration that serves its
 * namespaces and a Service under its name. Their identity is the tag, never the revision:
 * moving `default` to a new revision is an in-place update of `istio-revision-tag-default`.
 * Had the istiod chart rendered them (`revisionTags`), a promotion would move the object
 * from one istiod release to another; Pulumi creates before it deletes, so the create would
 * fail with AlreadyExists, or, with `upsertExistingObjects`, the delete would remove what was
 * just applied. Each tag waits for the control planes (`dependsOn`), so it never points to
 * an istiod that is not running.
 */
export class RevisionTags extends pulumi.ComponentResource {
    /** The tags, each with its revision. */
    public readonly tags: readonly TagTarget[];

    constructor(name: string, args: RevisionTagsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:core:RevisionTags", name, {}, opts);
        this.tags = args.tags;
        for (const { tag, revision } of args.tags) {
            new k8s.admissionregistration.v1.MutatingWebhookConfiguration(
                `${name}-${tag}`,
                revisionTagWebhook(tag, revision, args.namespace),
                childOptions(this, opts),
            );
            new k8s.core.v1.Service(
                `${name}-${tag}`,
                revisionTagService(tag, revision, args.namespace),
                childOptions(this, opts),
            );
        }
        this.registerOutputs({ tags: this.tags });
    }
}

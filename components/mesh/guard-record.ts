import type * as pulumi from "@pulumi/pulumi";

/**
 * A record in Pulumi's state that guards the next step: a dynamic provider whose `check`
 * sees the inputs the last applied step stored (`olds`) beside this step's (`news`), and
 * refuses the step with the failures `refusals` finds, in a preview and in an `up` alike.
 * The deployment record (deployment-record.ts) and the cluster-set record
 * (cluster-set-record.ts) are two. Everything here and in `refusals` must be
 * self-contained: Pulumi serializes the provider with all it reaches.
 */
export function guardRecordProvider<T>(options: {
    /** The record's ID: one record per parent, so a constant. */
    readonly id: string;
    /** Why this step may not follow the last one: a failure per property. */
    readonly refusals: (olds: Partial<T>, news: T) => pulumi.dynamic.CheckFailure[];
    /** What of the inputs is the record: a change of it alone is an update. */
    readonly recorded: (inputs: T) => unknown;
}): pulumi.dynamic.ResourceProvider {
    const { id, refusals, recorded } = options;
    return {
        async check(olds: Partial<T>, news: T): Promise<pulumi.dynamic.CheckResult> {
            const failures = refusals(olds, news);
            return failures.length === 0 ? { inputs: news } : { inputs: news, failures };
        },
        async diff(_id: string, olds: T, news: T): Promise<pulumi.dynamic.DiffResult> {
            return { changes: JSON.stringify(recorded(olds)) !== JSON.stringify(recorded(news)) };
        },
        async create(inputs: T): Promise<pulumi.dynamic.CreateResult> {
            return { id, outs: inputs };
        },
        async update(_id: string, _olds: T, news: T): Promise<pulumi.dynamic.UpdateResult> {
            return { outs: news };
        },
    };
}

import * as pulumi from "@pulumi/pulumi";
import { guardProblems, LastDeployment, PlannedStep } from "../args/upgrade-guard";
import { guardRecordProvider } from "./guard-record";

/**
 * What a mesh applied, kept in Pulumi's state by the mesh itself: the next step's upgrade
 * guards are checked against it, whatever program the mesh is part of. A component cannot
 * read its own last state through the SDK, and the stack's outputs are the program's to name,
 * so the record is a resource of its own whose provider sees the record it replaces: Pulumi
 * hands a provider's `check` the inputs stored by the last step that applied. It is
 * registered after everything it records (the istiods, the tags, the agents, the waypoints,
 * the namespace labels), so a step that fails before it leaves the last record in place.
 *
 * The guards run in `check`, which the engine calls in a preview and in an `up` alike, before
 * the record's step: a refused step fails its preview, and an `up` run without one stops
 * there, before the engine deletes the istiods the program dropped (deletes come last).
 */

/** The record's inputs, as the provider receives them. */
export interface RecordInputs {
    /** What this step applies. */
    readonly record: LastDeployment;
    /** What the guards read of this step's plan. */
    readonly planned: PlannedStep;
    /** How refusals name each setting, by its name in the checks. */
    readonly names: Readonly<Record<string, string>>;
    /** What ran last, for a mesh deployed before it kept a record (the program's stack outputs). */
    readonly bootstrap?: LastDeployment;
}

/**
 * The provider. Its functions reach nothing but the guards (themselves self-contained),
 * since Pulumi serializes them into the record's state and runs them in a process of their own.
 */
export const deploymentRecordProvider: pulumi.dynamic.ResourceProvider = guardRecordProvider<RecordInputs>({
    id: "deployment-record",
    refusals: (olds, news) =>
        guardProblems(olds.record ?? news.bootstrap, news.planned, (key) => news.names[key] ?? key).map(
            ([key, reason]) => ({ property: news.names[key] ?? key, reason }),
        ),
    recorded: (inputs) => inputs.record,
});

/** The type of the record in Pulumi's state, for the tests that model its provider. */
export const DEPLOYMENT_RECORD_TYPE = "pulumi-nodejs:dynamic/istio-mesh:DeploymentRecord";

/** The mesh's record of what it applied. */
export class DeploymentRecord extends pulumi.dynamic.Resource {
    /** What the step applied; known once everything it records was applied. */
    public readonly record!: pulumi.Output<LastDeployment>;

    constructor(name: string, inputs: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(
            deploymentRecordProvider,
            name,
            { ...inputs, record: inputs.record },
            opts,
            "istio-mesh",
            "DeploymentRecord",
        );
    }
}

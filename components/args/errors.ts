import * as pulumi from "@pulumi/pulumi";

/**
 * What `IstioMesh` throws when its arguments are wrong, before any child exists: every
 * problem at once, each naming its argument path, the value and the fix. A `RunError`, so that
 * Pulumi prints it without a stack trace.
 */
export class MeshArgsError extends pulumi.RunError {
    constructor(
        readonly mesh: string,
        readonly problems: readonly string[],
    ) {
        const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
        super(
            `IstioMesh ${mesh}: its arguments have ${count}; nothing was created:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "MeshArgsError";
    }
}

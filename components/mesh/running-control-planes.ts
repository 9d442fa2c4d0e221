import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface RunningControlPlanesArgs {
    /** Namespace of the control planes. */
    namespace: string;
    /**
     * Names of the istiods that must be running already: those kept only for the proxies they
     * started (`previousVersion`, `unrevisionedVersion`), e.g. `istiod-1-31-4`.
     * @default []
     */
    istiods?: readonly string[];
}

/**
 * Reads the Deployment of each istiod the configuration says is running. A wrong
 * `previousVersion` would otherwise install a new istiod under that name while the plan
 * deletes the one that runs (the name carries the version; for the istiod of before
 * revisions, `istiod`, only that it runs is checked); the read fails the preview instead, naming what it looked for,
 * and stops an `up` before it deletes anything (Pulumi deletes what the program dropped only
 * after every other step succeeded). Nothing waits for these reads: a resource that did
 * would wait forever on a failed one.
 */
export class RunningControlPlanes extends pulumi.ComponentResource {
    constructor(name: string, args: RunningControlPlanesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:core:RunningControlPlanes", name, {}, opts);
        for (const istiod of args.istiods ?? []) {
            k8s.apps.v1.Deployment.get(`${name}-${istiod}`, `${args.namespace}/${istiod}`, { parent: this });
        }
        this.registerOutputs({});
    }
}

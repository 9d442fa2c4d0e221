import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { REGISTRY_CREDENTIALS_SECRET } from "../args/workloads";

/**
 * The registry credentials the mesh's pods pull with, written into one of its namespaces as
 * a `kubernetes.io/dockerconfigjson` Secret before any of its pods: a chart given the
 * Secret's namespace output as its own namespace waits for it. The Docker config stays
 * secret in the state and the preview; destroy deletes the Secret, which the next `up`
 * writes again.
 *
 * @returns the Secret
 */
export function registryCredentialsIn(
    name: string,
    namespace: pulumi.Input<string>,
    dockerConfig: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        name,
        {
            metadata: { name: REGISTRY_CREDENTIALS_SECRET, namespace },
            type: "kubernetes.io/dockerconfigjson",
            stringData: { ".dockerconfigjson": pulumi.secret(dockerConfig) },
        },
        opts,
    );
}

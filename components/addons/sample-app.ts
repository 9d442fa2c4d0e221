import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions, registryCredentialsIn } from "../chart";
import {
    frontendConfigMap,
    SampleAppPlan,
    sampleNamespaceLabels,
    sampleNetworkPolicies,
    sampleWorkloads,
} from "../values/sample-app";

export interface SampleAppArgs extends SampleAppPlan {
    /**
     * The Docker config its pods pull with, written as `registry-credentials` in its namespace.
     * @default none
     */
    readonly registryCredentials?: pulumi.Input<string>;
}

/**
 * The sample application in a namespace of its own, labelled for the mesh's data plane: a
 * client, a frontend and a backend (values/sample-app.ts). Nothing in it needs keeping, so
 * `pulumi destroy` deletes it, namespace included, unlike the mesh's namespaces. Its
 * Deployments wait for what the component waits for (`dependsOn`: the revision tags, and
 * ztunnel with ambient), so no pod starts before the webhook that injects it or the ztunnel
 * that captures it; the namespace itself waits for nothing.
 */
export class SampleApp extends pulumi.ComponentResource {
    /** The namespace, known once it exists. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: SampleAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:sample:SampleApp", name, {}, opts);
        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: args.namespace, labels: sampleNamespaceLabels(args.dataPlane) } },
            { parent: this },
        );
        const inNamespace = { parent: this, dependsOn: [namespace] };
        const credentials =
            args.registryCredentials === undefined
                ? []
                : [
                      registryCredentialsIn(
                          `${name}-registry-credentials`,
                          namespace.metadata.name,
                          args.registryCredentials,
                          inNamespace,
                      ),
                  ];
        const config = new k8s.core.v1.ConfigMap(
            `${name}-frontend-config`,
            frontendConfigMap(args.namespace),
            inNamespace,
        );
        for (const policy of sampleNetworkPolicies(args)) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${policy.name}`,
                {
                    metadata: { name: policy.name, namespace: args.namespace },
                    spec: policy.spec as unknown as k8s.types.input.networking.v1.NetworkPolicySpec,
                },
                inNamespace,
            );
        }
        for (const workload of sampleWorkloads(args)) {
            const account = new k8s.core.v1.ServiceAccount(
                `${name}-${workload.name}`,
                workload.serviceAccount,
                inNamespace,
            );
            // A Service first: NGINX resolves the backend's name when it starts, and the client calls the frontend's.
            const service =
                workload.service === undefined
                    ? []
                    : [new k8s.core.v1.Service(`${name}-${workload.name}`, workload.service, inNamespace)];
            new k8s.apps.v1.Deployment(
                `${name}-${workload.name}`,
                workload.deployment as unknown as k8s.apps.v1.DeploymentArgs,
                childOptions(this, opts, namespace, account, config, ...service, ...credentials),
            );
        }
        this.namespace = namespace.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}

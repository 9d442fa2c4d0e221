import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { childOptions } from "../chart";

/** The pinned Gateway API release, vendored beside the program (components/crds/). */
export const GATEWAY_API_VERSION = "v1.6.1";

const DIRECTORY = path.join(__dirname, "..", "crds", `gateway-api-${GATEWAY_API_VERSION}`);

interface ManifestObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
}

/** Every object of the pinned standard channel, in file order, as `standard-install.yaml` joins them. */
export function gatewayApiObjects(): ManifestObject[] {
    return fs
        .readdirSync(DIRECTORY)
        .filter((file) => file.endsWith(".yaml"))
        .sort()
        .flatMap((file) => yaml.loadAll(fs.readFileSync(path.join(DIRECTORY, file), "utf8")) as ManifestObject[])
        .filter((object) => object !== null && object !== undefined);
}

export interface GatewayApiCrdsArgs {
    /**
     * The provider that adopts objects that exist already: a cluster may have the same
     * release's CRDs from an earlier install, or from `kubectl apply` of Istio's guide.
     * @default the component's provider, which adopts nothing
     */
    adoptingProvider?: k8s.Provider;
}

/**
 * The Gateway API CRDs of the pinned standard channel, and its `safe-upgrades` policy that
 * refuses experimental CRDs over them. Every CRD is kept by `pulumi destroy`
 * (`retainOnDelete`): deleting a CRD deletes every object of its kind in the cluster,
 * users' Gateways and HTTPRoutes too, which nothing could recreate. Only where
 * `istio-mesh:gatewayApiCrds` is `install`; a cluster that manages them says `cluster`.
 */
export class GatewayApiCrds extends pulumi.ComponentResource {
    /** The CRDs: a waypoint waits for them. */
    public readonly crds: k8s.apiextensions.v1.CustomResourceDefinition[];

    constructor(name: string, args: GatewayApiCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:ambient:GatewayApiCrds", name, {}, opts);
        const child = {
            ...childOptions(this, opts),
            ...(args.adoptingProvider !== undefined && { provider: args.adoptingProvider }),
            retainOnDelete: true,
        };
        this.crds = [];
        for (const object of gatewayApiObjects()) {
            const id = `${name}-${object.metadata.name}`;
            if (object.kind === "CustomResourceDefinition") {
                const crd = object as unknown as k8s.apiextensions.v1.CustomResourceDefinitionArgs;
                this.crds.push(new k8s.apiextensions.v1.CustomResourceDefinition(id, crd, child));
            } else if (object.kind === "ValidatingAdmissionPolicy") {
                const policy = object as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs;
                new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(id, policy, child);
            } else if (object.kind === "ValidatingAdmissionPolicyBinding") {
                const binding = object as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs;
                new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(id, binding, child);
            } else {
                throw new Error(
                    `Gateway API ${GATEWAY_API_VERSION}: unexpected ${object.kind} ${object.metadata.name}`,
                );
            }
        }
        this.registerOutputs({ crds: this.crds });
    }
}

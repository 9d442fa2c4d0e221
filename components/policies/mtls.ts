import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configSchema, get, InvariantConfig, isProtected, label, MESH_ROOT_NAMESPACE, Props } from "./scope";

/** Mutual TLS stays STRICT in every protected stack. */

const PEER_AUTHENTICATION = /^kubernetes:security\.istio\.io\/v1(beta1)?:PeerAuthentication$/;

/**
 * No PeerAuthentication loosens mutual TLS, for the mesh, a namespace, a workload or a port.
 * A resource policy: the engine runs it before it creates or updates each resource, so it
 * stops `pulumi up` before the change reaches the cluster.
 */
export const strictMtls: ResourceValidationPolicy = {
    name: "istio-mesh-strict-mtls",
    description: "Protected stacks loosen mutual TLS nowhere: every PeerAuthentication is STRICT.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (
            !PEER_AUTHENTICATION.test(args.type) ||
            !isProtected(args.urn, args.getConfig<Partial<InvariantConfig>>())
        ) {
            return;
        }
        const modes = [
            get(args.props, "spec", "mtls", "mode"),
            ...Object.values((get(args.props, "spec", "portLevelMtls") as Props | undefined) ?? {}).map((port) =>
                get(port, "mode"),
            ),
        ];
        const loose = modes.filter((mode) => mode !== undefined && mode !== "STRICT" && mode !== "UNSET");
        if (loose.length > 0) {
            reportViolation(
                `${label(args)} sets mtls mode ${loose.join(", ")}: only STRICT is allowed; set istio-mesh:mtlsMode to STRICT`,
            );
        }
    },
};

/**
 * A mesh-wide PeerAuthentication says STRICT. A stack policy, since it checks that something
 * exists: the engine runs it after a preview (which then fails) or after an update, so it
 * stops a pull request's preview, not a deploy already under way. It reads the namespace the
 * program writes as text (not a namespace's output), so it is known in every preview: a
 * value unknown in a preview makes a policy only advisory.
 */
export const meshWideStrictMtls: StackValidationPolicy = {
    name: "istio-mesh-mesh-wide-strict-mtls",
    description: "Protected stacks have a mesh-wide PeerAuthentication with STRICT mutual TLS.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Partial<InvariantConfig>>();
        const ours = args.resources.filter((r) => isProtected(r.urn, config));
        if (ours.length === 0) {
            return;
        }
        const meshWide = ours.filter(
            (r) =>
                PEER_AUTHENTICATION.test(r.type) &&
                get(r.props, "metadata", "namespace") === MESH_ROOT_NAMESPACE &&
                get(r.props, "spec", "selector") === undefined,
        );
        if (!meshWide.some((r) => get(r.props, "spec", "mtls", "mode") === "STRICT")) {
            reportViolation(
                `no mesh-wide PeerAuthentication (in ${MESH_ROOT_NAMESPACE}, no selector) with mtls.mode STRICT: set istio-mesh:mtlsMode to STRICT`,
            );
        }
    },
};

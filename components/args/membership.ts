import type { SettingsChecker } from "./checker";
import type { CaCertsArgs } from "./multi-cluster-args";
import { show } from "./text";

/**
 * A cluster's membership in a mesh of several, read and checked: the names Istio matches
 * across clusters (mesh, cluster, network) and the intermediate CA its istiod signs with.
 */

/** The membership of one cluster's mesh, once checked. */
export interface MembershipSettings {
    readonly meshId: string;
    readonly clusterName: string;
    readonly network: string;
    readonly eastWestGateway: boolean;
    readonly caCerts: CaCertsArgs;
}

/** A name Istio puts in Kubernetes names and labels (`istio-remote-secret-<cluster>`). */
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function checkMeshName(value: unknown, what: string): string | undefined {
    return typeof value === "string" && NAME.test(value)
        ? undefined
        : `${what} ${show(value)} is not a name Istio can put in a label; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. east`;
}

/** The namespace of the east-west gateway: its own, as every gateway's (its role reads the Secrets of its namespace). */
export const EAST_WEST_NAMESPACE = "istio-eastwest";

const CA_FIELDS = ["caCert", "caKey", "rootCert", "certChain"] as const;

/** The membership, if `multiCluster` is given, with every problem recorded. */
export function readMembership(check: SettingsChecker): MembershipSettings | undefined {
    const given = check.given("multiCluster");
    if (given === undefined) {
        return undefined;
    }
    const membership = check.read<Record<string, unknown>>("multiCluster", {}, "object", (value) => {
        const problems = [
            checkMeshName(value.meshId, "meshId"),
            checkMeshName(value.clusterName, "clusterName"),
            checkMeshName(value.network, "network"),
            ...(value.eastWestGateway !== undefined && typeof value.eastWestGateway !== "boolean"
                ? [`eastWestGateway ${show(value.eastWestGateway)} is not a boolean`]
                : []),
        ].filter((problem): problem is string => problem !== undefined);
        const ca = value.caCerts as Record<string, unknown> | undefined;
        const missing = CA_FIELDS.filter((field) => ca?.[field] === undefined || ca[field] === "");
        if (missing.length > 0) {
            // A CA without its key, or a key without its chain, is no CA istiod can sign with.
            problems.push(`caCerts lacks ${missing.join(", ")}; give all four: caCert, caKey, rootCert and certChain`);
        }
        return problems.length === 0 ? undefined : problems.join("; ");
    });
    if (Object.keys(membership).length === 0) {
        return undefined;
    }
    return {
        meshId: membership.meshId as string,
        clusterName: membership.clusterName as string,
        network: membership.network as string,
        eastWestGateway: membership.eastWestGateway === true,
        caCerts: membership.caCerts as CaCertsArgs,
    };
}

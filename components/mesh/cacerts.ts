import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CaCertsArgs } from "../args/multi-cluster-args";

/** The Secret istiod reads a plugged-in CA from, in its namespace, when it starts. */
export const CACERTS_SECRET = "cacerts";

/**
 * A cluster's intermediate CA, chained to the mesh's root, as istiod expects it: `cacerts`
 * in istio-system, before any istiod of the cluster starts (or it makes a self-signed root of
 * its own). `pulumi destroy` keeps it, as it keeps istiod's own root: every workload
 * certificate of the cluster chains to it. The key stays secret in the state and the preview.
 */
export function caCertsSecret(
    name: string,
    namespace: pulumi.Input<string>,
    ca: CaCertsArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        name,
        {
            metadata: { name: CACERTS_SECRET, namespace },
            stringData: {
                "ca-cert.pem": ca.caCert,
                "ca-key.pem": pulumi.secret(ca.caKey),
                "root-cert.pem": ca.rootCert,
                "cert-chain.pem": ca.certChain,
            },
        },
        { ...opts, retainOnDelete: true },
    );
}

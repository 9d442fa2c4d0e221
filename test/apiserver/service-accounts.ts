import { KubeClient } from "./client";

/**
 * ServiceAccounts and their tokens, which a cluster's controller-manager and kubelet would
 * provide: no controller-manager runs beside the suite's API server, so a namespace's
 * `default` ServiceAccount is created here, and a token is asked of the TokenRequest API, as
 * the kubelet asks for a pod's projected token.
 */

/** Creates the ServiceAccount unless it exists. */
export async function ensureServiceAccount(client: KubeClient, namespace: string, name = "default"): Promise<void> {
    const account = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } };
    if ((await client.get(account)) === undefined) await client.create(account, "serviceaccount-controller");
}

/** A token of the ServiceAccount for `audiences` (the API server's own when empty), valid an hour. */
export async function serviceAccountToken(
    client: KubeClient,
    namespace: string,
    name: string,
    audiences: readonly string[],
): Promise<string> {
    const path = `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`;
    const request = {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { audiences, expirationSeconds: 3600 },
    };
    const reply = await client.raw("POST", path, JSON.stringify(request));
    if (reply.status !== 201 && reply.status !== 200) {
        throw new Error(`TokenRequest for ${namespace}/${name}: ${reply.status} ${reply.body}`);
    }
    return (JSON.parse(reply.body) as { status: { token: string } }).status.token;
}

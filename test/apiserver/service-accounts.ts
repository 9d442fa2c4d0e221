import * as crypto from "node:crypto";
import * as fs from "node:fs";
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

const base64url = (data: Buffer | string): string => Buffer.from(data).toString("base64url");

/**
 * Fills a `kubernetes.io/service-account-token` Secret as kube-controller-manager's token
 * controller does (none runs here): a legacy token, a JWT of issuer `kubernetes/serviceaccount`
 * with the account's name and UID and the Secret's name, signed RS256 with the service-account
 * key the server was started with (`keyFile`, `kid` its public key's SHA-256 as the server
 * derives it), with the cluster's CA as `ca.crt` and the namespace beside it. The server checks
 * such a token against the Secret's own copy and the account's UID on every request, so this is
 * the token the controller would write, not a stand-in. Resolves to the Secret's data as stored.
 */
export async function fillTokenSecret(
    client: KubeClient,
    keyFile: string,
    namespace: string,
    name: string,
): Promise<Record<string, string>> {
    const secret = await client.get({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace } });
    const accountName = secret?.metadata.annotations?.["kubernetes.io/service-account.name"];
    if (secret === undefined || secret.type !== "kubernetes.io/service-account-token" || accountName === undefined) {
        throw new Error(`no service-account-token Secret ${namespace}/${name} naming its account`);
    }
    const account = await client.get({
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: accountName, namespace },
    });
    if (account === undefined) throw new Error(`Secret ${namespace}/${name}: no ServiceAccount ${accountName}`);
    const key = crypto.createPrivateKey(fs.readFileSync(keyFile));
    const kid = base64url(
        crypto
            .createHash("sha256")
            .update(crypto.createPublicKey(key).export({ type: "spki", format: "der" }))
            .digest(),
    );
    const header = base64url(JSON.stringify({ alg: "RS256", kid }));
    const claims = base64url(
        JSON.stringify({
            iss: "kubernetes/serviceaccount",
            "kubernetes.io/serviceaccount/namespace": namespace,
            "kubernetes.io/serviceaccount/secret.name": name,
            "kubernetes.io/serviceaccount/service-account.name": accountName,
            "kubernetes.io/serviceaccount/service-account.uid": account.metadata.uid,
            sub: `system:serviceaccount:${namespace}:${accountName}`,
        }),
    );
    const signature = base64url(crypto.sign("sha256", Buffer.from(`${header}.${claims}`), key));
    const data = {
        "ca.crt": Buffer.from(client.ca).toString("base64"),
        namespace: Buffer.from(namespace).toString("base64"),
        token: Buffer.from(`${header}.${claims}.${signature}`).toString("base64"),
    };
    const filled = await client.apply(
        { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, data },
        { fieldManager: "kube-controller-manager", force: false },
    );
    return filled.data as Record<string, string>;
}

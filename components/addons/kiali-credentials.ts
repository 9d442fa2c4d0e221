import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { KIALI_LOGIN_MESH_CONFIG_RULES, KIALI_LOGIN_RULES } from "../values/kiali-rights";

export interface KialiCredentialsArgs {
    /** Namespace Kiali runs in; pass the namespace's output so the Secrets wait for it. */
    namespace: pulumi.Input<string>;
    /**
     * Name of the Secret that holds the login-token signing key. The kiali-server chart
     * mounts the Secret named in `deployment.secret_name`, `kiali` by default.
     * @default "kiali"
     */
    secretName?: string;
}

/** Key of the signing key inside the `kiali` Secret. */
const SIGNING_KEY = "signing-key";

/**
 * What Kiali's `token` login needs, generated: a signing key for its session tokens (in
 * the `kiali` Secret, which the chart reads as `secret:kiali:signing-key`, so it never
 * changes between previews), and a read-only ServiceAccount whose token is the login.
 */
export class KialiCredentials extends pulumi.ComponentResource {
    /** Value for the kiali-server chart's `login_token.signing_key`. */
    public readonly signingKeyRef: string;
    /** Token of the read-only login ServiceAccount: paste it into Kiali's login page. */
    public readonly loginToken: pulumi.Output<string>;

    constructor(name: string, args: KialiCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:security:KialiCredentials", name, {}, opts);
        const secretName = args.secretName ?? "kiali";

        // Kiali accepts signing keys of 16, 24 or 32 characters.
        const signingKey = new random.RandomPassword(
            `${name}-signing-key`,
            { length: 32, special: false },
            { parent: this },
        );
        new k8s.core.v1.Secret(
            `${name}-signing-key`,
            {
                metadata: {
                    name: secretName,
                    namespace: args.namespace,
                    labels: { "app.kubernetes.io/part-of": "kiali" },
                },
                type: "Opaque",
                stringData: { [SIGNING_KEY]: signingKey.result },
            },
            { parent: this },
        );

        const account = new k8s.core.v1.ServiceAccount(
            `${name}-login`,
            { metadata: { name: "kiali-login", namespace: args.namespace } },
            { parent: this },
        );
        const role = new k8s.rbac.v1.ClusterRole(
            `${name}-login`,
            { metadata: { name: "kiali-login-viewer" }, rules: KIALI_LOGIN_RULES },
            { parent: this },
        );
        new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-login`,
            {
                metadata: { name: "kiali-login-viewer" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
                subjects: [
                    { kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace },
                ],
            },
            { parent: this },
        );
        const meshConfig = new k8s.rbac.v1.Role(
            `${name}-login-mesh-config`,
            {
                metadata: { name: "kiali-login-mesh-config", namespace: args.namespace },
                rules: KIALI_LOGIN_MESH_CONFIG_RULES,
            },
            { parent: this },
        );
        new k8s.rbac.v1.RoleBinding(
            `${name}-login-mesh-config`,
            {
                metadata: { name: "kiali-login-mesh-config", namespace: args.namespace },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: meshConfig.metadata.name },
                subjects: [
                    { kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace },
                ],
            },
            { parent: this },
        );
        // The provider waits until the token controller has filled the Secret in.
        const tokenSecret = new k8s.core.v1.Secret(
            `${name}-login-token`,
            {
                metadata: {
                    name: "kiali-login-token",
                    namespace: account.metadata.namespace,
                    annotations: { "kubernetes.io/service-account.name": account.metadata.name },
                },
                type: "kubernetes.io/service-account-token",
            },
            { parent: this },
        );

        this.signingKeyRef = `secret:${secretName}:${SIGNING_KEY}`;
        this.loginToken = pulumi.secret(
            tokenSecret.data.apply((data) => Buffer.from(data["token"], "base64").toString("utf8")),
        );
        this.registerOutputs({ signingKeyRef: this.signingKeyRef, loginToken: this.loginToken });
    }
}

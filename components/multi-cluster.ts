import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { MeshArgsError } from "./args/errors";
import type { IstioMultiClusterMeshArgs, MeshClusterArgs } from "./args/multi-cluster-mesh-args";
import type { MeshMembershipArgs, RecordedControlPlane } from "./args/istio-mesh-args";
import {
    clusterMeshArgs,
    clusterNetwork,
    DEFAULT_MESH_ID,
    INTERMEDIATE_VALIDITY,
    multiClusterProblems,
    spansNetworks,
} from "./args/multi-cluster";
import { ARG_PATHS, MeshKey } from "./args/arg-paths";
import { resolveMeshSettings } from "./mesh-settings";
import { ClusterSetRecord } from "./mesh/cluster-set-record";
import { constructedForAnotherLanguage, IstioMesh, SettingNames } from "./istio-mesh";
import { ISTIO_NAMESPACE } from "./values/istio-values";
import { remoteKubeconfig, remoteSecretMetadata } from "./values/multi-cluster-values";

/** The ServiceAccount the base chart makes for other clusters' istiods to read this one with. */
const READER_ACCOUNT = "istio-reader-service-account";

/** How messages name a mesh setting of a cluster: its argument path under `mesh`, or the program's key. */
export interface MultiClusterNames extends SettingNames {
    /** The name of a setting of the mesh of several, e.g. `clusters`. */
    readonly ownNameOf: (key: string) => string;
}

const ARG_NAMES: MultiClusterNames = {
    nameOf: (key) => `mesh.${ARG_PATHS[key]}`,
    ownNameOf: (key) => key,
};

/** What one cluster of the mesh is, once joined. */
export interface MeshClusterInfo {
    /** Its network. */
    network: string;
    /** Each istiod by name, with its version and tag, as applied. */
    controlPlanes: Record<string, RecordedControlPlane>;
    /** `kubectl rollout restart` for each namespace that owes a restart. */
    restartCommands: string[];
    /** When its intermediate CA expires (RFC 3339); the first `up` in its last tenth renews it. */
    intermediateCaValidUntil: string;
}

/** What a cluster's CA is while its mesh is checked, before the CA exists: every part given. */
const CA_TO_BE_MADE = { caCert: "made", caKey: "made", rootCert: "made", certChain: "made" };

/** A CA as PEM: its certificate, and its key (a secret). */
interface PemCa {
    certPem: pulumi.Input<string>;
    keyPem: pulumi.Input<string>;
}

/**
 * One Istio mesh across several clusters (multi-primary): an `IstioMesh` in each cluster, on
 * a provider of its own, joined into one mesh by the same mesh ID, each cluster's name and
 * network, one root of trust (each cluster's istiod signs with an intermediate CA chained to
 * it), a remote secret in every cluster for every other (a kubeconfig with the token of the
 * other cluster's `istio-reader-service-account`, so each istiod discovers the others'
 * services), and, when the clusters are on several networks, an east-west gateway in each.
 * Every argument is checked before any child exists, each cluster's mesh settings too.
 */
export class IstioMultiClusterMesh extends pulumi.ComponentResource {
    /** The mesh's ID. */
    public readonly meshId: pulumi.Output<string>;
    /** The root certificate every cluster's workload certificates chain to (PEM, public). */
    public readonly rootCertificate: pulumi.Output<string>;
    /** Each cluster by name: its network, control planes, owed restarts and intermediate CA expiry. */
    public readonly clusters: pulumi.Output<Record<string, MeshClusterInfo>>;

    /**
     * @param name the mesh's name; every child's name starts with it
     * @param args the clusters and what their meshes share
     * @param opts the usual options; each cluster gets a provider of its own
     * @param names how messages name settings: argument paths unless a program translates its own
     */
    constructor(
        name: string,
        args: IstioMultiClusterMeshArgs,
        opts?: pulumi.ComponentResourceOptions,
        names: MultiClusterNames = ARG_NAMES,
    ) {
        const problems = multiClusterProblems(args, names.ownNameOf);
        const clusters: readonly MeshClusterArgs[] = Array.isArray(args.clusters) ? args.clusters : [];
        const meshId = args.meshId ?? DEFAULT_MESH_ID;
        const acrossNetworks = spansNetworks(clusters);
        const membership = (cluster: MeshClusterArgs, caCerts: MeshMembershipArgs["caCerts"]): MeshMembershipArgs => ({
            meshId,
            clusterName: cluster.name,
            network: clusterNetwork(cluster),
            caCerts,
            eastWestGateway: acrossNetworks,
        });
        // Each cluster's mesh is checked here too, so that nothing is registered if any is wrong:
        // as the member it will be (its CA is made once all is checked), unless the membership
        // itself is wrong, which the problems above name once.
        const membersValid = problems.length === 0;
        for (const cluster of clusters) {
            const resolved = resolveMeshSettings(
                {
                    ...clusterMeshArgs(args.mesh, cluster),
                    ...(membersValid && { multiCluster: membership(cluster, CA_TO_BE_MADE) }),
                },
                { nameOf: names.nameOf, consumerProvider: true },
            );
            problems.push(...resolved.problems.map((problem) => `${cluster.name}: ${problem}`));
        }
        if (problems.length > 0) {
            throw new MeshArgsError(name, problems, "IstioMultiClusterMesh");
        }
        super("istio-mesh:index:IstioMultiClusterMesh", name, {}, opts);
        const days = args.intermediateValidityDays ?? INTERMEDIATE_VALIDITY.default;
        const root = args.rootCa ?? this.generatedRoot(name);
        const joined = clusters.filter((cluster) => cluster.leaving !== true);

        const members = clusters.map((cluster) => {
            const provider = new k8s.Provider(
                `${name}-${cluster.name}`,
                {
                    ...(cluster.context !== undefined && { context: cluster.context }),
                    // Credentials: secret in the state, as a stack's `--secret` value is not once read.
                    ...(cluster.kubeconfig !== undefined && { kubeconfig: pulumi.secret(cluster.kubeconfig) }),
                },
                { parent: this },
            );
            const { ca, validUntil } = this.intermediate(`${name}-${cluster.name}`, cluster.name, root, days);
            const meshArgs = clusterMeshArgs(args.mesh, cluster);
            const mesh = new IstioMesh(
                `${name}-${cluster.name}`,
                { ...meshArgs, multiCluster: membership(cluster, ca) },
                { parent: this, provider },
                { nameOf: (key: MeshKey) => `${cluster.name}: ${names.nameOf(key)}` },
            );
            return { cluster, provider, mesh, validUntil };
        });

        // Each joined cluster's reader token, and its remote secret in every other joined cluster.
        const readers = new Map(
            members
                .filter((member) => member.cluster.leaving !== true)
                .map((member) => [
                    member.cluster.name,
                    new k8s.core.v1.Secret(
                        `${name}-${member.cluster.name}-reader-token`,
                        {
                            metadata: {
                                name: "istio-reader-token",
                                namespace: ISTIO_NAMESPACE,
                                annotations: { "kubernetes.io/service-account.name": READER_ACCOUNT },
                            },
                            type: "kubernetes.io/service-account-token",
                        },
                        { parent: this, provider: member.provider, dependsOn: [member.mesh] },
                    ),
                ]),
        );
        for (const target of members.filter((member) => member.cluster.leaving !== true)) {
            for (const source of joined.filter((cluster) => cluster.name !== target.cluster.name)) {
                const token = readers.get(source.name) as k8s.core.v1.Secret;
                const kubeconfig = pulumi
                    .all([token.data])
                    .apply(([data]) =>
                        remoteKubeconfig(
                            source.name,
                            source.apiServer,
                            data["ca.crt"],
                            Buffer.from(data.token, "base64").toString("utf8"),
                        ),
                    );
                new k8s.core.v1.Secret(
                    `${name}-${target.cluster.name}-remote-${source.name}`,
                    {
                        metadata: remoteSecretMetadata(source.name, ISTIO_NAMESPACE),
                        stringData: { [source.name]: pulumi.secret(kubeconfig) },
                    },
                    { parent: this, provider: target.provider, dependsOn: [target.mesh] },
                );
            }
        }
        // Pulumi runs no dynamic provider for a component constructed for another language
        // (pulumi/pulumi#5455): there no record guards a cluster's removal (docs/multi-cluster.md).
        if (!constructedForAnotherLanguage()) {
            new ClusterSetRecord(
                `${name}-cluster-set`,
                {
                    clusters: clusters.map((cluster) => ({ name: cluster.name, leaving: cluster.leaving === true })),
                    setting: names.ownNameOf("clusters"),
                },
                { parent: this, dependsOn: members.map((member) => member.mesh) },
            );
        }

        this.meshId = pulumi.output(meshId);
        this.rootCertificate = pulumi.output(root.certPem);
        this.clusters = pulumi
            .all(
                members.map((member) =>
                    pulumi
                        .all([member.mesh.controlPlanes, member.mesh.restartCommands, member.validUntil])
                        .apply(([controlPlanes, restartCommands, validUntil]): [string, MeshClusterInfo] => [
                            member.cluster.name,
                            {
                                network: clusterNetwork(member.cluster),
                                controlPlanes,
                                restartCommands,
                                intermediateCaValidUntil: validUntil,
                            },
                        ]),
                ),
            )
            .apply((entries) => Object.fromEntries(entries));
        this.registerOutputs({ meshId: this.meshId, rootCertificate: this.rootCertificate, clusters: this.clusters });
    }

    /**
     * The mesh's root CA, made once and kept in the stack's state, its key a secret. It is
     * protected: every workload certificate of every cluster chains to it, and a new one would
     * make the clusters distrust each other's workloads until all restart, so `pulumi destroy`
     * stops at it until it is unprotected on purpose (docs/multi-cluster.md, the root).
     */
    private generatedRoot(name: string): PemCa {
        const key = new tls.PrivateKey(
            `${name}-root-key`,
            { algorithm: "ECDSA", ecdsaCurve: "P256" },
            { parent: this, protect: true },
        );
        const cert = new tls.SelfSignedCert(
            `${name}-root-cert`,
            {
                privateKeyPem: key.privateKeyPem,
                isCaCertificate: true,
                validityPeriodHours: 10 * 365 * 24,
                allowedUses: ["cert_signing", "crl_signing"],
                subject: { commonName: `${name} root CA`, organization: "istio-mesh" },
            },
            { parent: this, protect: true },
        );
        return { certPem: cert.certPem, keyPem: key.privateKeyPem };
    }

    /** A cluster's intermediate CA, signed by the root, renewed in the last tenth of its life. */
    private intermediate(
        name: string,
        cluster: string,
        root: PemCa,
        days: number,
    ): {
        ca: {
            caCert: pulumi.Output<string>;
            caKey: pulumi.Output<string>;
            rootCert: pulumi.Output<string>;
            certChain: pulumi.Output<string>;
        };
        validUntil: pulumi.Output<string>;
    } {
        const key = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
        const request = new tls.CertRequest(
            `${name}-ca-request`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: `${cluster} intermediate CA`, organization: "istio-mesh" },
            },
            { parent: this },
        );
        const cert = new tls.LocallySignedCert(
            `${name}-ca-cert`,
            {
                certRequestPem: request.certRequestPem,
                caPrivateKeyPem: root.keyPem,
                caCertPem: root.certPem,
                isCaCertificate: true,
                // It signs workload certificates only, never another CA: pathlen 0, as Istio's tools/certs.
                maxPathLength: 0,
                validityPeriodHours: days * 24,
                earlyRenewalHours: Math.floor((days * 24) / 10),
                allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            },
            { parent: this },
        );
        const rootCert = pulumi.output(root.certPem);
        return {
            ca: {
                caCert: cert.certPem,
                caKey: pulumi.secret(key.privateKeyPem),
                rootCert,
                certChain: pulumi
                    .all([cert.certPem, rootCert])
                    .apply(([own, top]) => `${own.trimEnd()}\n${top.trimEnd()}\n`),
            },
            validUntil: cert.validityEndTime,
        };
    }
}

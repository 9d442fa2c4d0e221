import * as pulumi from "@pulumi/pulumi";
import { configKey, stackMesh } from "./components/config/stack-config";
import { IstioMesh, IstioMultiClusterMesh } from "./components";
import { readLastDeployment } from "./components/mesh/last-deployment";

/**
 * The program: one istio-mesh environment, as a stack. Its configuration becomes the
 * arguments of one `IstioMesh` (or, with `istio-mesh:clusters`, of one mesh across several
 * clusters), checked before anything is registered but the read of what the stack's last
 * deployment applied, which an upgrade step is checked against; every message names the
 * stack's config keys. Its outputs are the mesh's.
 */
export = async (): Promise<Record<string, unknown>> => {
    const { clusters: lastClusters, ...last } = await readLastDeployment();
    // A stack that names no cluster is refused here, but for a personal one (docs/getting-started.md),
    // and so is a change between one cluster and several, which no step does in place.
    const { args, multiCluster } = stackMesh(pulumi.runtime.allConfig(), last, pulumi.getStack(), lastClusters);
    if (multiCluster !== undefined) {
        // Each cluster's mesh keeps its own record of what it applied.
        const mesh = new IstioMultiClusterMesh(
            "mesh",
            { ...multiCluster, mesh: args },
            {},
            {
                nameOf: configKey,
                ownNameOf: (key) => `istio-mesh:${key}`,
            },
        );
        return { meshId: mesh.meshId, rootCertificate: mesh.rootCertificate, clusters: mesh.clusters };
    }
    // Named once and for good: every resource's name starts with it, and the aliases of the
    // resources this program registered before the component exist under it.
    const mesh = new IstioMesh("mesh", { ...args, upgrade: { lastDeployment: last } }, {}, { nameOf: configKey });
    return {
        istioVersion: mesh.istioVersion,
        controlPlanes: mesh.controlPlanes,
        istioNamespace: mesh.istioNamespace,
        injectionNamespaces: mesh.injectionNamespaces,
        canaryNamespaces: mesh.canaryNamespaces,
        ambientNamespaces: mesh.ambientNamespaces,
        capturedNamespaces: mesh.capturedNamespaces,
        restartCommands: mesh.restartCommands,
        ingressGateway: mesh.ingressGateway,
        kialiLoginToken: mesh.kialiLoginToken,
        grafanaAdminPassword: mesh.grafanaAdminPassword,
        dashboardUrls: mesh.dashboardUrls,
        dashboardAccess: mesh.dashboardAccess,
        portForwardCommands: mesh.portForwardCommands,
        prometheusScrapeConfig: mesh.prometheusScrapeConfig,
    };
};

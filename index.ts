import * as pulumi from "@pulumi/pulumi";
import { configKey, stackMesh } from "./components/config/stack-config";
import { IstioMesh } from "./components/istio-mesh";
import { readLastDeployment } from "./components/mesh/last-deployment";

/**
 * The program: one istio-mesh environment, as a stack. Its configuration becomes the
 * arguments of one `IstioMesh`, checked before anything is registered but the read of what the
 * stack's last deployment applied, which an upgrade step is checked against; every message
 * names the stack's config keys. Its outputs are the mesh's.
 */
export = async (): Promise<Record<string, unknown>> => {
    const last = await readLastDeployment();
    // A stack that names no cluster is refused here, but for a personal one (docs/getting-started.md).
    const { args } = stackMesh(pulumi.runtime.allConfig(), last, pulumi.getStack());
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

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ADDON_SERVICES } from "./addon-values";
import { childOptions } from "./chart";
import { Addon } from "./config";

export interface DashboardRoutesArgs {
    /** Namespace of the ingress gateway and the add-ons. */
    namespace: string;
    /** Add-ons whose dashboards get a route. */
    addons: readonly Addon[];
    /**
     * Host name the routes answer to.
     * @default any host ("*")
     */
    host?: string;
    /** Client ranges admitted to the dashboard paths; everyone else gets 403. */
    allowedCidrs: readonly string[];
    /** Pod labels of the ingress gateway, e.g. `{ istio: "ingressgateway" }`. */
    gatewaySelector: Record<string, string>;
}

/**
 * Dashboards through the ingress gateway: an Istio `Gateway`, one `VirtualService` per
 * dashboard path, and an `AuthorizationPolicy` that admits those paths only from the allowed
 * ranges (Prometheus and Jaeger have no login). All are validated by istiod's webhook, so
 * create this after the control plane (`dependsOn`).
 */
export class DashboardRoutes extends pulumi.ComponentResource {
    /** The dashboard paths routed, e.g. `/kiali`. */
    public readonly paths: readonly string[];

    constructor(name: string, args: DashboardRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:dashboards:DashboardRoutes", name, {}, opts);
        const hosts = [args.host ?? "*"];
        const gatewayName = "dashboards";
        const istioResource = (suffix: string, apiVersion: string, kind: string, objectName: string, spec: unknown): void => {
            new k8s.apiextensions.CustomResource(
                `${name}-${suffix}`,
                { apiVersion, kind, metadata: { name: objectName, namespace: args.namespace }, spec },
                childOptions(this, opts),
            );
        };

        istioResource("gateway", "networking.istio.io/v1", "Gateway", gatewayName, {
            selector: args.gatewaySelector,
            servers: [{ port: { number: 80, name: "http-dashboards", protocol: "HTTP" }, hosts }],
        });
        for (const addon of args.addons) {
            const { service, port, path } = ADDON_SERVICES[addon];
            istioResource(addon, "networking.istio.io/v1", "VirtualService", `${addon}-dashboard`, {
                hosts,
                gateways: [`${args.namespace}/${gatewayName}`],
                http: [
                    {
                        match: [{ uri: { prefix: path } }],
                        route: [{ destination: { host: `${service}.${args.namespace}.svc.cluster.local`, port: { number: port } } }],
                    },
                ],
            });
        }
        this.paths = args.addons.map((addon) => ADDON_SERVICES[addon].path);
        istioResource("allowed-clients", "security.istio.io/v1", "AuthorizationPolicy", "dashboard-allowed-clients", {
            selector: { matchLabels: args.gatewaySelector },
            action: "DENY",
            rules: [
                {
                    from: [{ source: { notRemoteIpBlocks: [...args.allowedCidrs] } }],
                    to: [{ operation: { paths: this.paths.flatMap((path) => [path, `${path}/*`]) } }],
                },
            ],
        });
        this.registerOutputs({ paths: this.paths });
    }
}

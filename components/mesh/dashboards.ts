import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ADDON_SERVICES } from "../values/addon-endpoints";
import { childOptions } from "../chart";
import type { Addon } from "../args/choices";

/**
 * Every `:authority` under which the gateway routes `host`, as AuthorizationPolicy host
 * patterns. Istio 1.31's gateway routes ignore the port (`ignore_port_in_host_matching`,
 * pilot/pkg/networking/core/gateway.go), so `host:443` or `host:8443` reaches the same
 * VirtualService; a policy's `hosts` match the raw authority, port included. Both sides
 * ignore letter case (Envoy lowercases domains and Host; policy hosts use `ignore_case`).
 * Hence `host` and the prefix pattern `host:*`, as Istio's guidance for host rules says.
 */
export function authoritiesOf(host: string): string[] {
    return [host, `${host}:*`];
}

/** The ports the dashboard Gateway's servers listen on. */
const HTTP_PORT = 80;
const HTTPS_PORT = 443;

/**
 * The ports an AuthorizationPolicy on the gateway sees the dashboards on, as text: the
 * listener's, which Istio resolves to the Service's targetPort (pilot/pkg/model/gateway.go,
 * resolvePorts), and the gateway chart maps 80 to 80 and 443 to 443. With TLS, 80 only
 * redirects, and is guarded all the same.
 */
export function dashboardPorts(tls: boolean): string[] {
    return (tls ? [HTTPS_PORT, HTTP_PORT] : [HTTP_PORT]).map(String);
}

export interface DashboardRoutesArgs {
    /**
     * Namespace of the ingress gateway, where the routes, the allow-list and the TLS Secret
     * live; pass the namespace's output so they wait for it.
     */
    namespace: pulumi.Input<string>;
    /** Namespace of the add-ons the routes lead to. */
    addonNamespace: string;
    /**
     * The mesh's root namespace (istiod's, `istio-system`), where the allow-list lives: a
     * policy there with a selector applies to the gateway pods of every namespace, as the
     * dashboard Gateway's selector does (istiod does not scope Gateways to their namespace).
     * Text, not the namespace's output, so that the policy pack reads it in every preview;
     * the component waits for the namespace through its `dependsOn`.
     */
    rootNamespace: string;
    /** Add-ons whose dashboards get a route. */
    addons: readonly Addon[];
    /**
     * Host name the routes answer to.
     * @default any host ("*")
     */
    host?: string;
    /** Client ranges admitted to the dashboard paths; everyone else gets 403. */
    allowedCidrs: readonly string[];
    /**
     * `kubernetes.io/tls` Secret in `namespace`, the gateway's, with the host's certificate: HTTPS on 443,
     * and port 80 redirects to it. Needs `host`.
     * @default none: plain HTTP on port 80
     */
    tlsSecret?: string;
    /** Pod labels of the ingress gateway, e.g. `{ istio: "ingressgateway" }`. */
    gatewaySelector: Record<string, string>;
}

/**
 * Dashboards through the ingress gateway: an Istio `Gateway` (HTTPS with a TLS Secret),
 * one `VirtualService` per dashboard path, and an `AuthorizationPolicy` that admits the
 * dashboard host (or, without one, the dashboard paths) only from the allowed ranges. All
 * are validated by istiod's webhook, so create this after the control plane (`dependsOn`).
 */
export class DashboardRoutes extends pulumi.ComponentResource {
    /** The dashboard paths routed, e.g. `/kiali`. */
    public readonly paths: readonly string[];

    constructor(name: string, args: DashboardRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:dashboards:DashboardRoutes", name, {}, opts);
        const hosts = [args.host ?? "*"];
        // `./`: only VirtualServices of the Gateway's own namespace bind to it. A bare host
        // means `*/host`, which lets anyone who may write a VirtualService anywhere publish
        // paths under the dashboard host, its certificate and its HSTS.
        const serverHosts = hosts.map((host) => `./${host}`);
        const gatewayName = "dashboards";
        const istioResource = (
            suffix: string,
            apiVersion: string,
            kind: string,
            objectName: string,
            spec: unknown,
            namespace: pulumi.Input<string> = args.namespace,
        ): void => {
            new k8s.apiextensions.CustomResource(
                `${name}-${suffix}`,
                { apiVersion, kind, metadata: { name: objectName, namespace }, spec },
                childOptions(this, opts),
            );
        };

        const plainHttp = {
            port: { number: HTTP_PORT, name: "http-dashboards", protocol: "HTTP" },
            hosts: serverHosts,
        };
        istioResource("gateway", "networking.istio.io/v1", "Gateway", gatewayName, {
            selector: args.gatewaySelector,
            servers:
                args.tlsSecret === undefined
                    ? [plainHttp]
                    : [
                          {
                              port: { number: HTTPS_PORT, name: "https-dashboards", protocol: "HTTPS" },
                              hosts: serverHosts,
                              tls: { mode: "SIMPLE", credentialName: args.tlsSecret },
                          },
                          // Port 80 answers everything with a redirect: no dashboard is served over it.
                          { ...plainHttp, tls: { httpsRedirect: true } },
                      ],
        });
        for (const addon of args.addons) {
            const { service, port, path } = ADDON_SERVICES[addon];
            istioResource(addon, "networking.istio.io/v1", "VirtualService", `${addon}-dashboard`, {
                hosts,
                // The Gateway of the VirtualService's own namespace, by its short name.
                gateways: [gatewayName],
                http: [
                    {
                        // Exactly the paths the AuthorizationPolicy guards: `/x` and `/x/...`,
                        // never `/xy`, which a bare prefix `/x` would also route.
                        match: [{ uri: { exact: path } }, { uri: { prefix: `${path}/` } }],
                        // Browsers that saw HTTPS once never use plain HTTP for the host again.
                        ...(args.tlsSecret !== undefined && {
                            headers: { response: { set: { "Strict-Transport-Security": "max-age=31536000" } } },
                        }),
                        route: [
                            {
                                destination: {
                                    host: `${service}.${args.addonNamespace}.svc.cluster.local`,
                                    port: { number: port },
                                },
                            },
                        ],
                    },
                ],
            });
        }
        this.paths = args.addons.map((addon) => ADDON_SERVICES[addon].path);
        istioResource(
            "allowed-clients",
            "security.istio.io/v1",
            "AuthorizationPolicy",
            "dashboard-allowed-clients",
            {
                selector: { matchLabels: args.gatewaySelector },
                action: "DENY",
                rules: [
                    {
                        from: [{ source: { notRemoteIpBlocks: [...args.allowedCidrs] } }],
                        // The whole dashboard host, whatever path a route may ever serve on it. Without
                        // a host the routes answer on any host, so only their paths are ours to deny:
                        // other hosts' applications share the gateway.
                        to: [
                            {
                                operation: {
                                    ...(args.host !== undefined
                                        ? { hosts: authoritiesOf(args.host) }
                                        : { paths: this.paths.flatMap((path) => [path, `${path}/*`]) }),
                                    // Only the dashboards' own listeners: on a TCP listener Istio drops
                                    // the HTTP conditions of a DENY rule and keeps "deny everyone outside
                                    // the ranges" (its analyzer's IST0133), which would close any TCP or
                                    // TLS-passthrough server on this gateway to the public.
                                    ports: dashboardPorts(args.tlsSecret !== undefined),
                                },
                            },
                        ],
                    },
                ],
            },
            args.rootNamespace,
        );
        this.registerOutputs({ paths: this.paths });
    }
}

import * as crypto from "crypto";
import type { Size } from "../args/components";
import { toResources } from "../sizing/sizing";
import { SAMPLE_APP_IMAGES } from "../versions";
import { HBONE_PORT } from "./ambient-values";
import { WORKLOAD_POD_LABELS } from "./pod-labels";

/**
 * The sample application, as the Kubernetes objects it is made of: pure functions from what
 * the mesh decided (its data plane, its default revision, the sizing, who scrapes) to each
 * object's metadata and spec. A client calls the frontend once a second, the frontend (NGINX)
 * proxies to the backend (go-httpbin): two edges in Kiali's graph, requests in Grafana's
 * service and workload dashboards, and one trace per request, since NGINX passes the trace
 * headers on.
 */

type Tree = Record<string, unknown>;

/** The port every sample workload listens on. */
export const SAMPLE_APP_PORT = 8080;

/** The address kubelet's probes come from in ambient mode: ztunnel's node agent SNATs them to it. */
const AMBIENT_PROBE_SOURCE = "169.254.7.127/32";

/** The port of a sidecar's merged metrics (Envoy's and the app's), which Prometheus scrapes. */
const PROXY_METRICS_PORT = 15020;

/** How the sample's pods join the mesh: an injected sidecar, or ztunnel. */
export type SampleDataPlane = "sidecar" | "ambient";

/** Who scrapes the sidecars' metrics: the bundled Prometheus, an existing one (in a namespace, or from outside), or nobody. */
export type SampleScraper = { bundled: true } | { namespace?: string };

export interface SampleAppPlan {
    readonly namespace: string;
    readonly dataPlane: SampleDataPlane;
    /** The revision the `default` tag points to: a new one rolls the pods onto it, so their sidecars follow. */
    readonly revision: string;
    /** Each container's requests and limits. */
    readonly size: Size;
    /** NetworkPolicies that admit only the sample's own calls, the probes and the scrapes. */
    readonly networkPolicies: boolean;
    /** Who scrapes the sidecars, when NetworkPolicies must admit it. */
    readonly scraper?: SampleScraper;
    /** The registry mirroring the images, under their paths, if any. */
    readonly registry?: string;
    /** Secrets the pods pull with. */
    readonly pullSecrets?: readonly string[];
    /**
     * Services other clusters discover: in a mesh of several with ambient, whose profile scopes
     * a Service to its own cluster unless it carries `istio.io/global: "true"`.
     */
    readonly globalServices?: boolean;
}

/** The label that makes a Service global in ambient's multi-cluster service scope (profile-ambient's serviceScopeConfigs). */
export const GLOBAL_SERVICE_LABEL = "istio.io/global";

/** An image as a mirror keeps it: the registry host replaced, the path kept. */
export function mirroredImage(image: string, registry: string | undefined): string {
    return registry === undefined ? image : `${registry}/${image.replace(/^[^/]+\.[^/]+\//, "")}`;
}

/**
 * The namespace's labels. With ambient, every pod passes Pod Security's `restricted`, which is
 * enforced. With sidecars, Istio's injected `istio-init` container needs NET_ADMIN and NET_RAW
 * to redirect traffic (no CNI agent does it for sidecars here), which even `baseline` refuses:
 * the namespace is `privileged`, and `restricted` is warned about and audited, so that any
 * container but Istio's that breaks it shows up.
 */
export function sampleNamespaceLabels(dataPlane: SampleDataPlane): Record<string, string> {
    return dataPlane === "ambient"
        ? {
              "istio.io/dataplane-mode": "ambient",
              "pod-security.kubernetes.io/enforce": "restricted",
              "pod-security.kubernetes.io/warn": "restricted",
              "pod-security.kubernetes.io/audit": "restricted",
          }
        : {
              "istio-injection": "enabled",
              "pod-security.kubernetes.io/enforce": "privileged",
              "pod-security.kubernetes.io/warn": "restricted",
              "pod-security.kubernetes.io/audit": "restricted",
          };
}

/** A Service's in-cluster name, as NGINX and curl call it. */
const serviceHost = (service: string, namespace: string): string => `${service}.${namespace}.svc.cluster.local`;

/**
 * NGINX's whole configuration: one worker, everything it writes under /tmp (an emptyDir: its
 * image stays read-only), `/healthz` answered locally, everything else passed to the backend
 * with the request's headers, trace context included.
 */
export function frontendConfig(namespace: string): string {
    const backend = serviceHost("backend", namespace);
    return [
        "worker_processes 1;",
        "pid /tmp/nginx.pid;",
        "error_log /dev/stderr warn;",
        "events {",
        "    worker_connections 256;",
        "}",
        "http {",
        "    access_log /dev/stdout;",
        "    client_body_temp_path /tmp/client_temp;",
        "    proxy_temp_path /tmp/proxy_temp;",
        "    fastcgi_temp_path /tmp/fastcgi_temp;",
        "    uwsgi_temp_path /tmp/uwsgi_temp;",
        "    scgi_temp_path /tmp/scgi_temp;",
        "    server {",
        `        listen ${SAMPLE_APP_PORT};`,
        "        location = /healthz {",
        '            return 200 "ok\\n";',
        "        }",
        "        location / {",
        "            proxy_http_version 1.1;",
        `            proxy_set_header Host ${backend};`,
        `            proxy_pass http://${backend}:${SAMPLE_APP_PORT};`,
        "        }",
        "    }",
        "}",
        "",
    ].join("\n");
}

/** The client's loop: one request a second through the frontend, its status and time logged; stops on SIGTERM. */
export function clientScript(namespace: string): string {
    const url = `http://${serviceHost("frontend", namespace)}:${SAMPLE_APP_PORT}/get`;
    return `trap 'exit 0' TERM; while true; do curl -sS -o /dev/null -w '%{http_code} %{time_total}s\\n' ${url}; sleep 1 & wait $!; done`;
}

/** The ConfigMap holding NGINX's configuration. */
export const FRONTEND_CONFIG_MAP = "frontend-nginx";

/** A short digest of a text: a pod annotation that rolls the pods when it changes. */
const digest = (text: string): string => crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);

/** A container that meets Pod Security's `restricted` profile, running as the image's own user. */
function restrictedContainer(user: number): Tree {
    return {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: user,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** One sample workload: its ServiceAccount, Deployment and, for those called, Service. */
export interface SampleWorkload {
    readonly name: "client" | "frontend" | "backend";
    readonly serviceAccount: Tree;
    readonly deployment: Tree;
    readonly service?: Tree;
}

/** The labels of a workload's pods: Kiali groups by `app` and `version`. */
export const sampleLabels = (name: string): Record<string, string> => ({
    app: name,
    version: "v1",
    "app.kubernetes.io/part-of": "istio-mesh-sample",
});

/** The three workloads, in call order. */
export function sampleWorkloads(plan: SampleAppPlan): SampleWorkload[] {
    const { namespace } = plan;
    const resources = toResources(plan.size);
    // A change of data plane or of the default revision rolls the pods, so they get (or drop) the right proxy.
    const dataPlane = plan.dataPlane === "ambient" ? "ambient" : `sidecar ${plan.revision}`;
    const probe = (path: string): Tree => ({
        httpGet: { path, port: SAMPLE_APP_PORT },
        periodSeconds: 5,
    });
    const workload = (
        name: SampleWorkload["name"],
        container: Tree,
        options: { volumes?: Tree[]; annotations?: Record<string, string>; served: boolean },
    ): SampleWorkload => {
        const labels = sampleLabels(name);
        return {
            name,
            serviceAccount: {
                metadata: { name, namespace, labels },
                // None of them calls the Kubernetes API; a sidecar gets its own token from the injector.
                automountServiceAccountToken: false,
            },
            deployment: {
                metadata: { name, namespace, labels },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: { app: name } },
                    template: {
                        metadata: {
                            labels,
                            annotations: { "istio-mesh.io/data-plane": dataPlane, ...options.annotations },
                        },
                        spec: {
                            serviceAccountName: name,
                            automountServiceAccountToken: false,
                            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [
                                {
                                    name,
                                    resources,
                                    ...container,
                                    image: mirroredImage(String(container.image), plan.registry),
                                },
                            ],
                            ...((plan.pullSecrets ?? []).length > 0 && {
                                imagePullSecrets: (plan.pullSecrets ?? []).map((secret) => ({ name: secret })),
                            }),
                            ...(options.volumes !== undefined && { volumes: options.volumes }),
                        },
                    },
                },
            },
            ...(options.served && {
                service: {
                    metadata: {
                        name,
                        namespace,
                        labels: plan.globalServices === true ? { ...labels, [GLOBAL_SERVICE_LABEL]: "true" } : labels,
                    },
                    spec: {
                        selector: { app: name },
                        ports: [
                            {
                                name: "http",
                                port: SAMPLE_APP_PORT,
                                targetPort: SAMPLE_APP_PORT,
                                appProtocol: "http",
                            },
                        ],
                    },
                },
            }),
        };
    };
    const config = frontendConfig(namespace);
    return [
        workload(
            "client",
            {
                image: SAMPLE_APP_IMAGES.client.image,
                command: ["/bin/sh", "-c", clientScript(namespace)],
                securityContext: restrictedContainer(SAMPLE_APP_IMAGES.client.user),
            },
            { served: false },
        ),
        workload(
            "frontend",
            {
                image: SAMPLE_APP_IMAGES.frontend.image,
                // Not the image's entrypoint, whose scripts rewrite files under /etc/nginx.
                command: ["nginx", "-c", "/etc/nginx-sample/nginx.conf", "-g", "daemon off;"],
                ports: [{ name: "http", containerPort: SAMPLE_APP_PORT }],
                readinessProbe: probe("/healthz"),
                securityContext: restrictedContainer(SAMPLE_APP_IMAGES.frontend.user),
                volumeMounts: [
                    { name: "config", mountPath: "/etc/nginx-sample", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
            },
            {
                served: true,
                annotations: { "istio-mesh.io/config": digest(config) },
                volumes: [
                    { name: "config", configMap: { name: FRONTEND_CONFIG_MAP } },
                    { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                ],
            },
        ),
        workload(
            "backend",
            {
                image: SAMPLE_APP_IMAGES.backend.image,
                ports: [{ name: "http", containerPort: SAMPLE_APP_PORT }],
                readinessProbe: probe("/status/200"),
                securityContext: restrictedContainer(SAMPLE_APP_IMAGES.backend.user),
            },
            { served: true },
        ),
    ];
}

/** The ConfigMap of NGINX's configuration. */
export function frontendConfigMap(namespace: string): Tree {
    return {
        metadata: { name: FRONTEND_CONFIG_MAP, namespace, labels: sampleLabels("frontend") },
        data: { "nginx.conf": frontendConfig(namespace) },
    };
}

/** One NetworkPolicy: its name and spec. */
export interface SamplePolicy {
    readonly name: string;
    readonly spec: Tree;
}

/**
 * Who may connect to what in the sample's namespace, with `networkPolicies`: nothing but the
 * client to the frontend, the frontend to the backend, kubelet's probes and the scrapes of the
 * sidecars' metrics. With sidecars, a call arrives on the Service's port; with ambient, on
 * ztunnel's HBONE port (15008) from the caller's pod, and probes come from 169.254.7.127.
 */
export function sampleNetworkPolicies(plan: SampleAppPlan): SamplePolicy[] {
    if (!plan.networkPolicies) {
        return [];
    }
    const ambient = plan.dataPlane === "ambient";
    const tcp = (port: number): Tree => ({ protocol: "TCP", port });
    const from = (app: string): Tree => ({ podSelector: { matchLabels: { app } } });
    const called = (name: string, caller: string): SamplePolicy => ({
        name,
        spec: {
            podSelector: { matchLabels: { app: name } },
            policyTypes: ["Ingress"],
            ingress: [
                { from: [from(caller)], ports: [tcp(ambient ? HBONE_PORT : SAMPLE_APP_PORT)] },
                ...(ambient
                    ? [{ from: [{ ipBlock: { cidr: AMBIENT_PROBE_SOURCE } }], ports: [tcp(SAMPLE_APP_PORT)] }]
                    : []),
            ],
        },
    });
    const scraper = plan.scraper;
    // Only sidecars serve metrics in the pods; ztunnel's are scraped in its own namespace.
    const scrapes: SamplePolicy[] =
        ambient || scraper === undefined
            ? []
            : [
                  {
                      name: "metrics",
                      spec: {
                          podSelector: {},
                          policyTypes: ["Ingress"],
                          ingress: [
                              "bundled" in scraper
                                  ? {
                                        from: [
                                            {
                                                namespaceSelector: {
                                                    matchLabels: { "kubernetes.io/metadata.name": "istio-system" },
                                                },
                                                podSelector: { matchLabels: WORKLOAD_POD_LABELS.prometheus },
                                            },
                                        ],
                                        ports: [tcp(PROXY_METRICS_PORT)],
                                    }
                                  : scraper.namespace === undefined
                                    ? { ports: [tcp(PROXY_METRICS_PORT)] }
                                    : {
                                          from: [
                                              {
                                                  namespaceSelector: {
                                                      matchLabels: { "kubernetes.io/metadata.name": scraper.namespace },
                                                  },
                                              },
                                          ],
                                          ports: [tcp(PROXY_METRICS_PORT)],
                                      },
                          ],
                      },
                  },
              ];
    return [
        { name: "default-deny-ingress", spec: { podSelector: {}, policyTypes: ["Ingress"] } },
        called("frontend", "client"),
        called("backend", "frontend"),
        ...scrapes,
    ];
}

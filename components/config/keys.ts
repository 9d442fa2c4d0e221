import type { ReadableKey } from "./config-reader";
import { MESH_DEFAULTS, numberRanges } from "../args/defaults";
import type { StackKey } from "../args/arg-paths";

/**
 * Every `istio-mesh:` key, declared once: its kind, its default (the component's, from
 * args/defaults.ts), what it means, and the argument of `IstioMesh` it becomes. The
 * translation takes kinds from here, `Pulumi.yaml`'s `config:` block and the README's table
 * are written from here (`npm run config-docs`), and a test keeps both current. A schema
 * library (zod, valibot) would replace only the parse of each kind: the checks live on the
 * component's arguments, which every consumer meets, and name keys here.
 */

/**
 * How a value is written and read. `decimal` is a string in `Pulumi.yaml`, whose `integer`
 * type would refuse `0.5`; `quantity` is a Kubernetes quantity.
 */
export type KeyKind = ReadableKey["kind"];

/** What the reader needs (kind, default, check, range), and what the docs show. */
export interface KeyDeclaration extends ReadableKey {
    /** One sentence or two, in Markdown: the README's table and `Pulumi.yaml` show it. */
    readonly description: string;
    /**
     * A credential: set with `pulumi config set --secret`, so the stack file holds it
     * encrypted; the component keeps it secret in every resource it reaches.
     */
    readonly secret?: true;
}

const D = MESH_DEFAULTS;
const RANGES = numberRanges((key) => `istio-mesh:${key}`);

export const CONFIG_KEYS = {
    memory: {
        kind: "quantity",
        default: D.memory,
        description:
            "memory of the cluster the environment is sized for (what `minikube start --memory` got), 1Gi to 1Ti",
    },
    addons: {
        kind: "list",
        default: D.addons,
        description:
            "telemetry add-ons to install, any of `prometheus`, `grafana`, `jaeger`, `kiali`; Grafana and Kiali need a Prometheus, this one or `prometheusUrl`'s",
    },
    injectionNamespaces: {
        kind: "list",
        default: D.injectionNamespaces,
        description: "existing namespaces whose new pods get a sidecar; a missing one stops the preview",
    },
    istioVersion: {
        kind: "string",
        default: D.istioVersion,
        description:
            "the stable Istio release, installed as revision `1-31-4` for `1.31.4` with the `default` tag pointing to it; the committed stacks pin it, so a new default upgrades no existing stack",
    },
    canaryVersion: {
        kind: "string",
        default: D.canaryVersion,
        description:
            "a newer release (at most one minor ahead) to run beside `istioVersion` as a second istiod, tagged `canary`; empty for none",
    },
    canaryNamespaces: {
        kind: "list",
        default: D.canaryNamespaces,
        description:
            "injection namespaces moved to the canary (`istio.io/rev=canary` instead of `istio-injection=enabled`); each must be in `injectionNamespaces`, and needs `canaryVersion`",
    },
    previousVersion: {
        kind: "string",
        default: D.previousVersion,
        description:
            "after a promotion, the release `istioVersion` replaced: its istiod keeps running, untagged, for proxies not restarted yet, until you remove the key",
    },
    unrevisionedVersion: {
        kind: "string",
        default: D.unrevisionedVersion,
        description:
            "for a stack deployed before revisions, the release of its istiod (Helm release `istiod`): kept, without injecting, until you remove the key (docs/upgrades.md, moving a stack deployed before revisions)",
    },
    ambient: {
        kind: "boolean",
        default: D.ambient,
        description:
            "install the ambient data plane beside the sidecars: istiod with Istio's ambient profile, the CNI agent (`istio-cni-node`) and ztunnel, as DaemonSets in `istio-ambient`, and the Gateway API CRDs for waypoints (docs/ambient.md)",
    },
    ambientNamespaces: {
        kind: "list",
        default: D.ambientNamespaces,
        description:
            "existing namespaces labelled `istio.io/dataplane-mode=ambient`: their pods join the mesh through ztunnel, without sidecars; a missing one stops the preview. Needs `ambient`; a namespace is here or in `injectionNamespaces`, not both",
    },
    waypointNamespaces: {
        kind: "list",
        default: D.waypointNamespaces,
        description:
            "ambient namespaces that get a waypoint (a Gateway API `Gateway` of class `istio-waypoint`, named `waypoint`) and the `istio.io/use-waypoint` label, for L7 policy and telemetry; each must be in `ambientNamespaces`",
    },
    ambientReleasedNamespaces: {
        kind: "list",
        default: D.ambientReleasedNamespaces,
        description:
            "namespaces the last deployment left labelled ambient whose `istio.io/dataplane-mode=ambient` label is dropped: one moved back to sidecars once its pods have all restarted with a sidecar (a step after its move back), or one taken out of the mesh. Until a namespace is listed here it keeps that label, so its unrestarted pods stay in the mesh through ztunnel whatever `up` runs; needs `ambient`, and none may be in `ambientNamespaces`",
    },
    platform: {
        kind: "string",
        default: D.platform,
        description:
            "the cluster's platform, for the CNI agent's host paths: `minikube`, `k3d`, `k3s`, `microk8s`, `gke`, `openshift`, or `none` for the chart's defaults (kind, EKS, AKS, kubeadm). With `ambient`, or `openshift` with sidecars, whose pods may not redirect their own traffic: the CNI agent does it in `kube-system`",
    },
    nodes: {
        kind: "integer",
        default: D.nodes,
        description:
            "how many nodes the cluster has: ztunnel and the CNI agent run one pod on each, which the memory budget counts that many times, and `availability: high` spreads pods over them",
        range: RANGES.nodes,
    },
    gatewayApiCrds: {
        kind: "string",
        default: D.gatewayApiCrds,
        description:
            "`install`: the program installs the Gateway API CRDs of the pinned standard channel (v1.6.1), which waypoints need, and keeps them on destroy; `cluster`: the cluster manages them (GKE, EKS add-ons), and the program only uses them; only with `ambient`",
    },
    egressGateway: {
        kind: "boolean",
        default: D.egressGateway,
        description: "install the egress gateway (`istio-egressgateway`, ClusterIP)",
    },
    ingressNamespace: {
        kind: "string",
        default: D.ingressNamespace,
        description:
            "namespace of the ingress gateway, created and kept by `pulumi destroy`; also where the dashboard routes and `dashboardTlsSecret` live. Not `istio-system`, whose root CA key the gateway's Secret-reading role would reach, except to keep a stack deployed with its gateways there: refused for a new stack (docs/upgrades.md, gateways in their own namespaces)",
    },
    egressNamespace: {
        kind: "string",
        default: D.egressNamespace,
        description: "namespace of the egress gateway, created and kept by `pulumi destroy`; as `ingressNamespace`",
    },
    networkPolicies: {
        kind: "boolean",
        default: D.networkPolicies,
        description:
            "NetworkPolicies that let only the ingress gateway reach the dashboards, only Kiali and Grafana reach Prometheus and Jaeger's query port, and only pods reach istiod's xDS port and Jaeger's collector; every other connection into the mesh's namespaces is refused. They hold only where the cluster's CNI enforces them (Calico, Cilium; not minikube's default)",
    },
    ingressServiceType: {
        kind: "string",
        default: D.ingressServiceType,
        description: "Service type of the ingress gateway: `LoadBalancer`, `NodePort` or `ClusterIP`",
    },
    awaitIngressAddress: {
        kind: "boolean",
        default: D.awaitIngressAddress,
        description:
            "wait during `pulumi up` (10 minutes at most) for the ingress LoadBalancer's address, and show it in the outputs; only where the cluster gives addresses (clouds, kind with a cloud provider, MetalLB), never on minikube without `minikube tunnel`",
    },
    ingressExternalTrafficPolicy: {
        kind: "string",
        default: D.ingressExternalTrafficPolicy,
        description:
            "`Local` keeps each client's address up to the ingress gateway, which `dashboardAllowedCidrs` needs; `Cluster` lets kube-proxy replace it with a node's, refused where an IP rule depends on it",
    },
    mtlsMode: {
        kind: "string",
        default: D.mtlsMode,
        description: "mesh-wide mutual TLS, `STRICT` or `PERMISSIVE`",
    },
    dashboards: {
        kind: "string",
        default: D.dashboards,
        description:
            "`ingress`: dashboards routed through the ingress gateway under `/kiali`, `/grafana`, `/jaeger`, `/prometheus`; `none`: port-forward only",
    },
    dashboardHost: {
        kind: "string",
        default: D.dashboardHost,
        description: "host name the dashboard routes answer to; empty for any host; only with `dashboards: ingress`",
    },
    dashboardAllowedCidrs: {
        kind: "list",
        default: D.dashboardAllowedCidrs,
        description:
            "client IPv4 ranges admitted to the dashboards through the ingress gateway, everyone else gets 403; `[0.0.0.0/0]` admits everybody, `[]` is refused (to admit nobody, set `dashboards: none`)",
    },
    dashboardsWithoutLogin: {
        kind: "list",
        default: D.dashboardsWithoutLogin,
        description:
            "dashboards with no login of their own (`prometheus`, `jaeger`, and `kiali` with `kialiAnonymous`) to route through the ingress gateway anyway; Kiali and Grafana with their logins are always routed with `dashboards: ingress`",
    },
    dashboardTlsSecret: {
        kind: "string",
        default: D.dashboardTlsSecret,
        description:
            "a `kubernetes.io/tls` Secret in the ingress gateway's namespace (`ingressNamespace`) with `dashboardHost`'s certificate: HTTPS on 443, HTTP redirected; required for routed logins unless `dashboardPlainHttp`",
    },
    dashboardPlainHttp: {
        kind: "boolean",
        default: D.dashboardPlainHttp,
        description:
            "accept dashboards with a login routed over plain HTTP (no `dashboardTlsSecret`), where Kiali's token and Grafana's password cross the network readable; a laptop cluster's choice, which the policy pack refuses in every stack but dev",
    },
    tracingSampling: {
        kind: "decimal",
        default: String(D.tracingSampling),
        description:
            "percent of requests traced, a decimal number from 0 to 100 such as `100`, `1` or `0.5`; needs `jaeger` or `otlpEndpoint`",
        range: RANGES.tracingSampling,
    },
    prometheusUrl: {
        kind: "string",
        default: D.prometheusUrl,
        description:
            "the base URL of an existing Prometheus (`http://prometheus-operated.monitoring.svc:9090`, or one outside the cluster) that Grafana and Kiali read instead of the bundled one; empty for none. Not with `prometheus` in `addons` (docs/telemetry.md)",
    },
    prometheusScrapesMesh: {
        kind: "boolean",
        default: D.prometheusScrapesMesh,
        description:
            "the Prometheus of `prometheusUrl` already scrapes istiod, the proxies and ztunnel; if false, the `prometheusScrapeConfig` output holds the scrape jobs to add to it",
    },
    otlpEndpoint: {
        kind: "string",
        default: D.otlpEndpoint,
        description:
            "an OpenTelemetry collector's OTLP receiver as `host:port` (`otel-collector.observability.svc.cluster.local:4317`, a Service's full name or a host a ServiceEntry declares) that the proxies send spans to instead of the bundled Jaeger; empty for none. Not with `jaeger` in `addons`",
    },
    otlpProtocol: {
        kind: "string",
        default: D.otlpProtocol,
        description: "how spans reach `otlpEndpoint`: `grpc`, or `http` (to `/v1/traces`)",
    },
    tracingQueryUrl: {
        kind: "string",
        default: D.tracingQueryUrl,
        description:
            "where Kiali queries the traces `otlpEndpoint` receives (the Jaeger or Tempo behind the collector, e.g. `http://tempo.observability.svc:3200`); empty turns Kiali's tracing off",
    },
    tracingQueryProvider: {
        kind: "string",
        default: D.tracingQueryProvider,
        description: "the API `tracingQueryUrl` serves: `jaeger` or `tempo`",
    },
    kialiAnonymous: {
        kind: "boolean",
        default: D.kialiAnonymous,
        description:
            "Kiali without login, and then view-only (`view_only_mode`: its ServiceAccount is bound to the chart's read-only role, so no visitor can change Istio config or workloads through it); never on a shared cluster",
    },
    prometheusRetention: {
        kind: "string",
        default: D.prometheusRetention,
        description: "how long Prometheus keeps metrics, a Prometheus duration such as `6h` or `15d`",
    },
    prometheusStorage: {
        kind: "quantity",
        default: D.prometheusStorage,
        description:
            "size of a persistent volume for Prometheus data, e.g. `8Gi`, kept by `pulumi destroy`; empty for none (data is lost on restart)",
    },
    kubeletTlsVerify: {
        kind: "boolean",
        default: D.kubeletTlsVerify,
        description:
            "Prometheus verifies each kubelet's certificate when it scrapes the nodes' container metrics (which Istio's performance dashboards read), so its token goes to no impostor. Set false only where kubelets serve self-signed certificates (kubeadm's default, minikube): those scrapes fail otherwise",
    },
    memoryBudgetPercent: {
        kind: "integer",
        default: D.memoryBudgetPercent,
        description:
            "share of `memory` the mesh and its add-ons may request, 10 to 90; the rest is left for workloads and system pods",
        range: RANGES.memoryBudgetPercent,
    },
    resources: {
        kind: "map",
        default: D.resources,
        description:
            "per-component requests and limits that win over the sizing table, keyed by `istiod`, `ingressGateway`, `egressGateway`, `proxy`, `prometheus`, `grafana`, `jaeger`, `kiali`, `ztunnel`, `cni` or `sampleApp`, each like a container's `resources`",
    },
    sampleApp: {
        kind: "boolean",
        default: D.sampleApp,
        description:
            "deploy a sample application in `istio-mesh-sample`, a namespace the program creates and `pulumi destroy` deletes: a client calling a frontend (NGINX) once a second, which calls a backend (go-httpbin), with sidecars or, with `ambient`, through ztunnel; Kiali's graph and Grafana's dashboards show its traffic within a minute (docs/sample-app.md)",
    },
    replicas: {
        kind: "map",
        default: D.replicas,
        description:
            "replica counts that win over the tier's, for `istiod`, `ingressGateway` and `egressGateway`: a number runs that many pods, `{min, max}` autoscales",
    },
    ingressGateway: {
        kind: "boolean",
        default: D.ingressGateway,
        description:
            "install the ingress gateway; `false` for a cluster whose traffic enters through an ingress of its own, with the dashboards reached by port-forward (`dashboards: none`)",
    },
    ingressServiceAnnotations: {
        kind: "map",
        default: D.ingressServiceAnnotations,
        description:
            "annotations of the ingress gateway's Service, for the cloud's load balancer controller (e.g. `service.beta.kubernetes.io/aws-load-balancer-type: external` for an AWS NLB, which keeps client addresses)",
    },
    ingressLoadBalancerSourceRanges: {
        kind: "list",
        default: D.ingressLoadBalancerSourceRanges,
        description:
            "client IPv4 or IPv6 ranges the cloud's load balancer admits to the ingress gateway (`loadBalancerSourceRanges`); empty for every address; with a LoadBalancer only",
    },
    ingressLoadBalancerClass: {
        kind: "string",
        default: D.ingressLoadBalancerClass,
        description:
            "the load balancer implementation of the ingress gateway's Service (`loadBalancerClass`, e.g. `service.k8s.aws/nlb`); empty for the cluster's default; with a LoadBalancer only",
    },
    imageRegistry: {
        kind: "string",
        default: D.imageRegistry,
        description:
            "a registry mirroring every image the mesh deploys, each under its path (`docker.io/istio/pilot` pulled as `<registry>/istio/pilot`); a host with an optional port and path, no scheme; empty for each image's own registry",
    },
    imagePullSecrets: {
        kind: "list",
        default: D.imagePullSecrets,
        description:
            "names of `kubernetes.io/dockerconfigjson` Secrets every pod of the mesh pulls with, which something else places in each of the mesh's namespaces (prefer `registryCredentials`)",
    },
    registryCredentials: {
        kind: "text",
        default: D.registryCredentials,
        secret: true,
        description:
            'a Docker config JSON (`{"auths": {...}}`), set with `--secret`: the mesh writes it as the Secret `registry-credentials` in each namespace it runs pods in and pulls every image with it',
    },
    scheduling: {
        kind: "map",
        default: D.scheduling,
        description:
            "node selectors, tolerations and priority classes of the mesh's Deployments: keyed by `all`, `istiod`, `ingressGateway`, `egressGateway`, `prometheus`, `grafana`, `jaeger` or `kiali`, each with `nodeSelector`, `tolerations` and `priorityClassName`; a component's own field wins over `all`'s",
    },
    availability: {
        kind: "string",
        default: D.availability,
        description:
            "`high`: istiod and the gateways run two pods or more each, spread over nodes, with a disruption budget; `single`: one each; `auto`: as the memory tier says (high from the large tier); `replicas` wins over it",
    },
    chartValues: {
        kind: "map",
        default: D.chartValues,
        description:
            "Helm values merged last over the ones the program computes, per chart: `base`, `istiod` (every revision), `ingressGateway`, `egressGateway`, `eastWestGateway` (a mesh of several across networks, with sidecars), `cni`, `ztunnel`, `prometheus`, `grafana`, `jaeger`, `kiali`; every key is checked against the keys the pinned chart reads, and a value a typed key sets is refused (docs/configuration.md, chart values)",
    },
    meshId: {
        kind: "string",
        default: "",
        description:
            "with `clusters`, the mesh's ID, the same in every cluster; empty for `mesh1` (docs/multi-cluster.md)",
    },
    clusters: {
        kind: "map",
        default: {},
        description:
            "one mesh across several clusters, keyed by each cluster's name: `{context or kubeconfig, apiServer, network, memory, nodes, platform, leaving}` each, the API server as the other clusters reach it; every other `istio-mesh:` key applies to every cluster, and no `kubernetes:context`, `kubeconfig` or `cluster` may be set beside it. Empty for one cluster, the provider's (docs/multi-cluster.md)",
    },
} as const satisfies Record<StackKey | ProgramKey, KeyDeclaration>;

/** Keys the program reads itself: a mesh of several clusters, which it makes of one mesh per cluster. */
export type ProgramKey = "meshId" | "clusters";

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Each key's default, as declared. */
export const CONFIG_DEFAULTS = Object.fromEntries(
    Object.entries(CONFIG_KEYS).map(([name, declaration]) => [name, declaration.default]),
) as { readonly [K in ConfigKey]: (typeof CONFIG_KEYS)[K]["default"] };

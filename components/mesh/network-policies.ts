import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Addon } from "../args/choices";
import { WORKLOAD_POD_LABELS } from "../values/pod-labels";

/**
 * Who may connect to what in the mesh's namespaces. The add-ons run without sidecars, so
 * STRICT mTLS and AuthorizationPolicies do not guard them; these NetworkPolicies do, where
 * the cluster's CNI enforces them (Calico, Cilium; not minikube's default). Each namespace
 * denies all ingress but what is listed. Only ingress is limited: Prometheus scrapes the
 * whole cluster, and the gateways and add-ons call out.
 */

const PODS = WORKLOAD_POD_LABELS;

/**
 * istiod's xDS and CA port over mutual TLS, which every proxy of the cluster calls. Not
 * 15010, which serves the mesh's configuration in plaintext to anyone who asks: no proxy
 * of this mesh uses it.
 */
const ISTIOD_PROXY_PORT = 15012;
/** istiod's webhook port, which the API server calls: from no pod, so from any address. */
const ISTIOD_WEBHOOK_PORT = 15017;

/** Jaeger's query port (its UI and API), and the ports proxies send spans to. */
const JAEGER_QUERY_PORT = 16686;
const JAEGER_COLLECTOR_PORTS = [4317, 4318, 9411];

/** A namespace by name, and the output that makes a policy wait for it. */
export interface PolicyNamespace {
    name: string;
    output: pulumi.Input<string>;
}

export interface MeshNetworkPoliciesArgs {
    /** istiod's and the add-ons' namespace. */
    meshNamespace: PolicyNamespace;
    /**
     * The ingress gateway's namespace (istio-system itself for a stack that keeps it there).
     * @default none: no ingress gateway
     */
    ingressNamespace?: PolicyNamespace;
    /**
     * The egress gateway's namespace.
     * @default none: no egress gateway
     */
    egressNamespace?: PolicyNamespace;
    /** Installed add-ons. */
    addons: readonly Addon[];
    /** Dashboards routed through the ingress gateway: only those admit it. */
    routed: readonly Addon[];
    /**
     * An existing Prometheus, which scrapes istiod's monitoring port: from its namespace when
     * it runs in the cluster, from any address when it does not (or its namespace is unknown).
     * @default none
     */
    existingPrometheus?: { namespace?: string };
}

/** istiod's monitoring port, which Prometheus scrapes. */
const ISTIOD_MONITORING_PORT = 15014;

type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Rule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;

const tcp = (...ports: number[]): { protocol: string; port: number }[] =>
    ports.map((port) => ({ protocol: "TCP", port }));

/**
 * A rule admitting `peers` to `ports`, or none when no peer is installed: a rule whose
 * `from` is empty admits every source.
 */
const allow = (peers: Peer[], ...ports: number[]): Rule[] =>
    peers.length === 0 ? [] : [{ from: peers, ports: tcp(...ports) }];

/**
 * A pod selector of these labels; all pods as `{}`, never `{ matchLabels: {} }`: the API server
 * stores an empty map as none, so every apply of the latter rewrites the object (a new
 * resourceVersion and generation each `up`), as the apiserver suite (test/apiserver) found.
 */
const selector = (pods: Record<string, string>): k8s.types.input.meta.v1.LabelSelector =>
    Object.keys(pods).length === 0 ? {} : { matchLabels: pods };

export class MeshNetworkPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: MeshNetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:security:NetworkPolicies", name, {}, opts);
        const policy = (
            suffix: string,
            namespace: PolicyNamespace,
            pods: Record<string, string>,
            ingress: Rule[],
        ): void => {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${suffix}`,
                {
                    metadata: { name: suffix, namespace: namespace.output },
                    spec: { podSelector: selector(pods), policyTypes: ["Ingress"], ingress },
                },
                { parent: this },
            );
        };
        // One per namespace: a gateway kept in istio-system shares the mesh's.
        const denied = new Set<string>();
        const denyAll = (namespace: PolicyNamespace): void => {
            if (denied.has(namespace.name)) {
                return;
            }
            denied.add(namespace.name);
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${namespace.name}-default-deny`,
                {
                    metadata: { name: "default-deny-ingress", namespace: namespace.output },
                    spec: { podSelector: {}, policyTypes: ["Ingress"] },
                },
                { parent: this },
            );
        };
        const mesh = args.meshNamespace;
        const from = (pods: Record<string, string>): Peer => ({ podSelector: { matchLabels: pods } });
        const gateway: Peer = {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.ingressNamespace?.name ?? "" } },
            podSelector: { matchLabels: PODS.ingressGateway },
        };
        const anyPod: Peer = { namespaceSelector: {} };
        const installed = (addon: Addon): boolean => args.addons.includes(addon);
        const viaGateway = (addon: Addon): Peer[] => (args.routed.includes(addon) ? [gateway] : []);
        const kiali = installed("kiali") ? [from(PODS.kiali)] : [];
        const readers = [...(installed("grafana") ? [from(PODS.grafana)] : []), ...kiali];

        denyAll(mesh);
        // Prometheus scrapes istiod's monitoring port through prometheus-scrapes. Kiali reads
        // istiod (its version, readiness and debug endpoints) through the API server's
        // port-forward, which no NetworkPolicy sees.
        const existing = args.existingPrometheus;
        policy("istiod", mesh, PODS.istiod, [
            { ports: tcp(ISTIOD_WEBHOOK_PORT) },
            ...allow([anyPod], ISTIOD_PROXY_PORT),
            ...(existing === undefined
                ? []
                : existing.namespace === undefined
                  ? [{ ports: tcp(ISTIOD_MONITORING_PORT) }]
                  : allow(
                        [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": existing.namespace } } }],
                        ISTIOD_MONITORING_PORT,
                    )),
        ]);
        if (installed("prometheus")) {
            // Prometheus reads every pod's metrics, on whatever port each serves them.
            policy("prometheus-scrapes", mesh, {}, [{ from: [from(PODS.prometheus)] }]);
            policy("prometheus", mesh, PODS.prometheus, allow([...readers, ...viaGateway("prometheus")], 9090));
        }
        if (installed("grafana")) {
            policy("grafana", mesh, PODS.grafana, allow([...kiali, ...viaGateway("grafana")], 3000));
        }
        if (installed("jaeger")) {
            policy("jaeger", mesh, PODS.jaeger, [
                ...allow([anyPod], ...JAEGER_COLLECTOR_PORTS),
                ...allow([...readers, ...viaGateway("jaeger")], JAEGER_QUERY_PORT),
            ]);
        }
        if (installed("kiali") && args.routed.includes("kiali")) {
            policy("kiali", mesh, PODS.kiali, allow([gateway], 20001));
        }

        // The ingress gateway answers anyone: that is its job. Nothing else runs beside it.
        if (args.ingressNamespace !== undefined) {
            denyAll(args.ingressNamespace);
            policy("ingress-gateway", args.ingressNamespace, PODS.ingressGateway, [{}]);
        }
        if (args.egressNamespace !== undefined) {
            denyAll(args.egressNamespace);
            policy("egress-gateway", args.egressNamespace, PODS.egressGateway, [{ from: [anyPod] }]);
        }
        this.registerOutputs({});
    }
}

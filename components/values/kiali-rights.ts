/**
 * What Kiali may do in the cluster, as RBAC rules: its own ServiceAccount's (Kiali's cache,
 * and every visitor's rights when Kiali is anonymous) and the shared login token's. Both read
 * the mesh and write nothing.
 */

/** An RBAC rule, with only the fields we set. */
export interface RbacRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
}

const READ = ["get", "list", "watch"];

/** The API groups of Istio's configuration and the Gateway API's. */
const MESH_CONFIG_GROUPS = [
    "extensions.istio.io",
    "gateway.networking.k8s.io",
    "networking.istio.io",
    "security.istio.io",
    "telemetry.istio.io",
];

/**
 * What Kiali's ServiceAccount reads cluster-wide: the chart's viewer role without
 * `pods/portforward`, which would let whoever runs as Kiali open any port of any pod (the
 * port-forward it needs is in KIALI_SERVER_PORT_FORWARD_RULES), and without the OpenShift
 * groups. ConfigMaps stay cluster-wide: Kiali's cluster-wide cache watches them, and a cache
 * that cannot list them never syncs. No pod logs: with a login, Kiali reads them with the
 * user's own token (Kiali 2.29 uses its own account only for ztunnel's logs and config dump,
 * which with ambient on therefore stay empty: ztunnel runs in istio-ambient, where this
 * account may neither read logs nor port-forward); an anonymous Kiali would read them for
 * every visitor (its log tab is off).
 */
export const KIALI_SERVER_RULES: RbacRule[] = [
    { apiGroups: [""], resources: ["configmaps"], verbs: READ },
    { apiGroups: [""], resources: ["namespaces", "pods", "replicationcontrollers", "services"], verbs: READ },
    { apiGroups: ["apps"], resources: ["daemonsets", "deployments", "replicasets", "statefulsets"], verbs: READ },
    { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: READ },
    {
        apiGroups: [
            "networking.istio.io",
            "security.istio.io",
            "extensions.istio.io",
            "telemetry.istio.io",
            "inference.networking.k8s.io",
        ],
        resources: ["*"],
        verbs: READ,
    },
    {
        apiGroups: ["gateway.networking.k8s.io"],
        resources: [
            "gatewayclasses",
            "gateways",
            "grpcroutes",
            "httproutes",
            "referencegrants",
            "tcproutes",
            "tlsroutes",
        ],
        verbs: READ,
    },
    // Neither reads nor changes an object.
    { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
    { apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], verbs: ["list"] },
];

/**
 * Kiali reads istiod (its version, readiness, debug endpoints) through the API server's
 * port-forward: allowed in the mesh's namespace only. Kiali's Envoy tab, which port-forwards
 * to a proxy with Kiali's own account, shows nothing for applications' workloads or the
 * gateways (in their own namespaces); `istioctl proxy-config` shows the same with the user's
 * own rights.
 */
export const KIALI_SERVER_PORT_FORWARD_RULES: RbacRule[] = [
    { apiGroups: [""], resources: ["pods/portforward"], verbs: ["create"] },
];

/**
 * What the shared login token reads cluster-wide: workloads, services and Istio
 * configuration. Not ConfigMaps or pod logs, which hold what applications put there (the
 * same token is every user's): the mesh's own ConfigMaps are readable in its namespace only
 * (KIALI_LOGIN_MESH_CONFIG_RULES), and Kiali's log tab needs a user's own token.
 */
export const KIALI_LOGIN_RULES: RbacRule[] = [
    {
        apiGroups: [""],
        resources: ["endpoints", "namespaces", "pods", "replicationcontrollers", "services"],
        verbs: READ,
    },
    { apiGroups: ["apps"], resources: ["daemonsets", "deployments", "replicasets", "statefulsets"], verbs: READ },
    { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: READ },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
    { apiGroups: MESH_CONFIG_GROUPS, resources: ["*"], verbs: READ },
];

/** istiod's mesh configuration and the root certificate, in the mesh's namespace only. */
export const KIALI_LOGIN_MESH_CONFIG_RULES: RbacRule[] = [{ apiGroups: [""], resources: ["configmaps"], verbs: READ }];

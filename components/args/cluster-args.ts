// How the component reaches the cluster, and what the upgrade guards check a change against.

import type * as pulumi from "@pulumi/pulumi";
import type { Platform } from "./choices";

/** The client settings of the Kubernetes provider the component adopts existing objects with. */
export interface KubeClientSettingsArgs {
    /** Requests the client may send in a burst. @default the provider's */
    burst?: number;
    /** Requests per second the client may send. @default the provider's */
    qps?: number;
    /** Seconds before a request times out. @default the provider's */
    timeout?: number;
}

/** Helm settings of that provider. */
export interface HelmReleaseSettingsArgs {
    /** Where Helm keeps release state: `secret`, `configmap` or `memory`. @default the provider's */
    driver?: string;
    /** Helm's plugins directory. @default the provider's */
    pluginsPath?: string;
    /** Helm's registry configuration file. @default the provider's */
    registryConfigPath?: string;
    /** Helm's repository cache directory. @default the provider's */
    repositoryCache?: string;
    /** Helm's repositories file. @default the provider's */
    repositoryConfigPath?: string;
    /** Silence the provider's beta warning about Helm releases. @default the provider's */
    suppressBetaWarning?: boolean;
}

/**
 * How the component reaches the cluster to adopt objects that exist already (what `destroy`
 * kept, or a manual install left): a provider of its own with `upsertExistingObjects`,
 * made from these settings, the ones the consumer's provider has. A provider's settings
 * cannot be read back from it, so a consumer that passes a provider gives them here too.
 */
export interface ClusterArgs {
    /**
     * The kubeconfig, contents or path, of the cluster the consumer's provider reaches.
     * @default the ambient kubeconfig, only without a provider of the consumer's
     */
    kubeconfig?: pulumi.Input<string>;
    /** The kubeconfig context to use. @default the kubeconfig's current context */
    context?: string;
    /** The kubeconfig cluster to use. @default the context's */
    cluster?: string;
    /** A name for the cluster, kept stable when its kubeconfig changes so the provider is not replaced. @default none */
    clusterIdentifier?: string;
    /** The namespace for objects that name none. @default the provider's */
    namespace?: string;
    /**
     * Adopt the mesh's namespaces, the Istio and Gateway API CRDs and Prometheus's claim when
     * they exist. With a provider of the consumer's, needs `kubeconfig` or `context`.
     * @default true without a provider of the consumer's, false with one
     */
    adoptExisting?: boolean;
    /**
     * The cluster's platform: the CNI agent's host paths. With sidecars, `openshift` installs
     * the CNI agent in kube-system to redirect each pod's traffic (OpenShift refuses the
     * `istio-init` container's NET_ADMIN); the others matter with ambient only.
     * @default "none"
     */
    platform?: Platform;
    /**
     * How many nodes the cluster has: the node agents run on each, and the budget counts them;
     * `sizing.availability: high` spreads pods over them.
     * @default 1
     */
    nodes?: number;
    /** Render manifests for `renderYamlToDirectory` even where the cluster is reachable. @default the provider's */
    alwaysRender?: boolean;
    /** Drop objects from the state when their cluster cannot be reached. @default the provider's */
    deleteUnreachable?: boolean;
    /** Update ConfigMaps in place instead of replacing them. @default the provider's */
    enableConfigMapMutable?: boolean;
    /** Update Secrets in place instead of replacing them. @default the provider's */
    enableSecretMutable?: boolean;
    /** Apply with server-side apply (the provider's default since 4.0). @default the provider's */
    enableServerSideApply?: boolean;
    /** Skip updates of objects whose cluster cannot be reached. @default the provider's */
    skipUpdateUnreachable?: boolean;
    /** Silence warnings about deprecated API versions. @default the provider's */
    suppressDeprecationWarnings?: boolean;
    /** Silence warnings about Helm hooks, which Chart v4 drops. @default the provider's */
    suppressHelmHookWarnings?: boolean;
    /** Write manifests to this directory instead of applying them. @default the provider's */
    renderYamlToDirectory?: string;
    /** The client's rate limits and timeout. @default the provider's */
    kubeClientSettings?: KubeClientSettingsArgs;
    /** Helm's settings. @default the provider's */
    helmReleaseSettings?: HelmReleaseSettingsArgs;
}

/** One istiod as a deployment recorded it. */
export interface RecordedControlPlane {
    /** Its Istio release. */
    version: string;
    /** The tag pointing to it: `default`, `canary`, or "" for one kept for unrestarted proxies. */
    tag: string;
    /** Whether it ran with ambient on. @default false */
    ambient?: boolean;
}

/** What a deployment applied, which the next one is checked against. */
export interface DeploymentRecord {
    /** Each istiod by name. @default none */
    controlPlanes?: Record<string, RecordedControlPlane>;
    /** The namespaces on the canary tag. @default [] */
    canaryNamespaces?: string[];
    /** The ambient namespaces. @default [] */
    ambientNamespaces?: string[];
    /** The namespaces left labelled ambient, those moving back included. @default [] */
    capturedNamespaces?: string[];
}

/** What the upgrade guards check a change against. */
export interface UpgradeArgs {
    /**
     * What the last deployment applied, when the consumer knows it (the program passes its
     * own stack outputs, for stacks deployed before the component kept its own record). The
     * component's record wins when it has one.
     * @default the component's own record
     */
    lastDeployment?: DeploymentRecord;
}

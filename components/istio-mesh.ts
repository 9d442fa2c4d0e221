import * as pulumi from "@pulumi/pulumi";
import { ARG_PATHS, MeshKey } from "./args/arg-paths";
import type { IstioMeshArgs, RecordedControlPlane } from "./args/istio-mesh-args";
import type { MeshSettings } from "./args/settings";
import type { LastDeployment } from "./args/upgrade-guard";
import { plannedStep, resolveMeshSettings } from "./mesh-settings";
import { planSizing } from "./sizing/sizing";
import { planControlPlanes } from "./values/control-plane-plan";
import { DeploymentRecord } from "./mesh/deployment-record";
import { MeshArgsError } from "./args/errors";
import { buildControlPlane } from "./wiring/control-plane";
import { buildTelemetry } from "./wiring/telemetry";
import { buildSampleApp } from "./wiring/sample-app";
import { describeAccess, IngressGatewayInfo } from "./wiring/access";

export type { IngressGatewayInfo } from "./wiring/access";

/**
 * How messages, warnings and the outputs' advice name each setting. The component speaks of
 * its argument paths (`sizing.memory`); the program passes its stack config keys.
 */
export interface SettingNames {
    /** The name of a setting, by its name in the checks. */
    readonly nameOf: (key: MeshKey) => string;
}

const ARG_NAMES: SettingNames = { nameOf: (key) => ARG_PATHS[key] };

/** A provider's package; the SDK keeps it, though its types do not say so. */
const packageOf = (provider: pulumi.ProviderResource): string | undefined =>
    (provider as unknown as { getPackage?: () => string }).getPackage?.();

/**
 * Whether the mesh is constructed by the component provider `pulumi package add` runs for a
 * program in another language: the Node.js language host starts it with its run-plugin.
 */
function constructedForAnotherLanguage(): boolean {
    return process.argv.some((arg) => /[\\/]cmd[\\/]run-plugin([\\/]index\.js)?$/.test(arg));
}

/** Whether the consumer gives the component a Kubernetes provider of its own. */
function hasOwnProvider(opts: pulumi.ComponentResourceOptions | undefined): boolean {
    const providers = opts?.providers;
    const listed = Array.isArray(providers)
        ? providers.some((provider) => packageOf(provider) === "kubernetes")
        : providers !== undefined && (providers as Record<string, unknown>).kubernetes !== undefined;
    const provider = opts?.provider;
    // A parent's providers reach its children: one of them given to a parent counts too.
    const inherited = opts?.parent?.getProvider("kubernetes:core/v1:Namespace") !== undefined;
    return (provider !== undefined && packageOf(provider) === "kubernetes") || listed || inherited;
}

/**
 * A complete Istio service mesh: the `istio-system` namespace and Istio's CRDs, istiod as
 * revisions, the gateways in namespaces of their own, ambient's data plane where asked, the
 * telemetry add-ons, generated credentials and the namespace labels, in the order each needs.
 * The arguments are checked before any child exists, every problem in one error. Every child
 * uses the provider the consumer gives; objects that exist already (what `destroy` kept) are
 * adopted through one more provider, made from `cluster`'s settings.
 */
export class IstioMesh extends pulumi.ComponentResource {
    /** The stable Istio release. */
    public readonly istioVersion: pulumi.Output<string>;
    /** Each istiod by name, with its version and tag ("" for one kept for unrestarted proxies), as applied. */
    public readonly controlPlanes: pulumi.Output<Record<string, RecordedControlPlane>>;
    /** The namespace of the control plane and the add-ons: `istio-system`. */
    public readonly istioNamespace: pulumi.Output<string>;
    /** The sidecar namespaces. */
    public readonly injectionNamespaces: pulumi.Output<string[]>;
    /** The sidecar namespaces on the canary tag, as applied. */
    public readonly canaryNamespaces: pulumi.Output<string[]>;
    /** The ambient namespaces, as applied. */
    public readonly ambientNamespaces: pulumi.Output<string[]>;
    /** The namespaces labelled ambient, those moving back to sidecars included, as applied. */
    public readonly capturedNamespaces: pulumi.Output<string[]>;
    /** `kubectl rollout restart` for each namespace that owes a restart, and notes as shell comments. */
    public readonly restartCommands: pulumi.Output<string[]>;
    /** The ingress gateway's Service and namespace, and its address when the mesh waited for it; with an ingress gateway. */
    public readonly ingressGateway?: pulumi.Output<IngressGatewayInfo>;
    /** The token for Kiali's login page, with Kiali (secret). */
    public readonly kialiLoginToken?: pulumi.Output<string>;
    /** Grafana's `admin` password, with Grafana (secret). */
    public readonly grafanaAdminPassword?: pulumi.Output<string>;
    /** Each routed dashboard's URL, where it is known. */
    public readonly dashboardUrls: pulumi.Output<Record<string, string>>;
    /** How to reach the dashboards, in one paragraph. */
    public readonly dashboardAccess: pulumi.Output<string>;
    /** Each add-on's `kubectl port-forward` line. */
    public readonly portForwardCommands: pulumi.Output<Record<string, string>>;
    /**
     * The scrape jobs (YAML) to add to an existing Prometheus that does not scrape the mesh
     * itself: istiod, every proxy, and ztunnel with ambient (docs/telemetry.md).
     */
    public readonly prometheusScrapeConfig?: pulumi.Output<string>;

    /**
     * @param name the mesh's name; every child's name starts with it
     * @param args what the mesh is made of
     * @param opts the provider (`provider` or `providers`) every child uses, and the usual options
     * @param names how messages name settings: argument paths unless a program translates its own
     */
    constructor(
        name: string,
        args: IstioMeshArgs,
        opts?: pulumi.ComponentResourceOptions,
        names: SettingNames = ARG_NAMES,
    ) {
        // Checked before anything is registered, the mesh itself included.
        const resolved = resolveMeshSettings(args ?? {}, {
            nameOf: names.nameOf,
            last: args?.upgrade?.lastDeployment,
            consumerProvider: hasOwnProvider(opts),
        });
        if (resolved.problems.length > 0) {
            throw new MeshArgsError(name, resolved.problems);
        }
        super("istio-mesh:index:IstioMesh", name, {}, opts);
        const settings: MeshSettings = resolved.settings;
        for (const warning of resolved.warnings) {
            void pulumi.log.warn(warning, this);
        }
        const sizing = planSizing(settings);
        const plan = planControlPlanes(settings, args?.upgrade?.lastDeployment);
        const core = buildControlPlane(this, name, { settings, sizing, plan, names: names.nameOf });
        const telemetry = buildTelemetry(this, name, { settings, sizing, core });
        const sample = buildSampleApp(this, name, { settings, sizing, plan, core });

        // The record is applied last, after everything else: what it says was applied, and the
        // guards run where it applies. Pulumi cannot run a dynamic provider for a component
        // constructed for another language (pulumi/pulumi#5455): there the mesh keeps none,
        // and its guards see only what `upgrade.lastDeployment` says ran.
        const remote = constructedForAnotherLanguage();
        const record = remote
            ? undefined
            : new DeploymentRecord(
                  `${name}-record`,
                  {
                      record: core.record,
                      planned: plannedStep(settings),
                      names: Object.fromEntries(
                          Object.keys(ARG_PATHS).map((key) => [key, names.nameOf(key as MeshKey)]),
                      ),
                      ...(args?.upgrade?.lastDeployment !== undefined && { bootstrap: args.upgrade.lastDeployment }),
                  },
                  { parent: this, dependsOn: [...core.created, ...telemetry.created, ...sample] },
              );
        if (remote && args?.upgrade?.lastDeployment === undefined) {
            void pulumi.log.warn(
                `${name}: constructed for another language, the mesh keeps no record of what it applied (Pulumi runs no dynamic provider there, pulumi/pulumi#5455), so no upgrade guard sees the last deployment: pass upgrade.lastDeployment (export the mesh's controlPlanes, canaryNamespaces, ambientNamespaces and capturedNamespaces, read them back with a StackReference to the stack), or use the TypeScript package`,
                this,
            );
        }
        const applied: pulumi.Output<LastDeployment> = record?.record ?? core.record;
        this.istioVersion = pulumi.output(settings.istioVersion);
        this.controlPlanes = applied.apply((r) => ({ ...(r.controlPlanes as Record<string, RecordedControlPlane>) }));
        this.istioNamespace = core.istioNamespace;
        this.injectionNamespaces = pulumi.output([...core.injection.namespaces]);
        this.canaryNamespaces = applied.apply((r) => [...(r.canaryNamespaces ?? [])]);
        this.ambientNamespaces = applied.apply((r) => [...(r.ambientNamespaces ?? [])]);
        this.capturedNamespaces = applied.apply((r) => [...(r.capturedNamespaces ?? [])]);
        const access = describeAccess(settings, plan, core, telemetry, names.nameOf);
        this.restartCommands = access.restartCommands;
        this.ingressGateway = access.ingressGateway;
        this.kialiLoginToken = telemetry.kialiLoginToken;
        this.grafanaAdminPassword = telemetry.grafanaAdminPassword;
        this.dashboardUrls = access.dashboardUrls;
        this.dashboardAccess = pulumi.output(access.dashboardAccess);
        this.portForwardCommands = pulumi.output(access.portForwardCommands);
        this.prometheusScrapeConfig =
            telemetry.prometheusScrapeConfig === undefined
                ? undefined
                : pulumi.output(telemetry.prometheusScrapeConfig);
        this.registerOutputs({
            istioVersion: this.istioVersion,
            controlPlanes: this.controlPlanes,
            istioNamespace: this.istioNamespace,
            injectionNamespaces: this.injectionNamespaces,
            canaryNamespaces: this.canaryNamespaces,
            ambientNamespaces: this.ambientNamespaces,
            capturedNamespaces: this.capturedNamespaces,
            restartCommands: this.restartCommands,
            ingressGateway: this.ingressGateway,
            kialiLoginToken: this.kialiLoginToken,
            grafanaAdminPassword: this.grafanaAdminPassword,
            dashboardUrls: this.dashboardUrls,
            dashboardAccess: this.dashboardAccess,
            portForwardCommands: this.portForwardCommands,
            prometheusScrapeConfig: this.prometheusScrapeConfig,
        });
    }
}

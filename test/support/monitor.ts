import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as sdkState from "@pulumi/pulumi/runtime/state";

/** The SDK's runtime state, where `setMocks` keeps its feature flags (internal, hence untyped). */
function getStore(): Record<string, boolean> {
    return (sdkState as unknown as { getStore(): Record<string, boolean> }).getStore();
}

/**
 * A mock resource monitor that records what the engine would be told: every resource
 * registration with its parent, dependencies, options and inputs (secret markers kept).
 */

/** One RegisterResource request, as the engine would receive it. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    /** Parent URN, or "" for a top-level resource. */
    parent: string;
    custom: boolean;
    remote: boolean;
    /** URNs this resource waits for: explicit `dependsOn` plus every input's dependencies. */
    dependencies: string[];
    /** For each input property, the URNs its value came from. */
    propertyDependencies: Record<string, string[]>;
    retainOnDelete: boolean;
    protect: boolean;
    /** Earlier identities the engine treats as this resource: an alias's name, type and parent URN, as set. */
    aliases: { name?: string; type?: string; parentUrn?: string }[];
    /** For a read of an existing object (`Resource.get`), the ID it reads; never created or deleted. */
    readId?: string;
    /** For a read that failed, what the provider said: the engine stops the deployment there. */
    readError?: string;
    /** The provider reference (`urn::id`) a custom resource uses, or "" for the default provider. */
    provider: string;
    /** For a remote component (a Chart v4), the provider reference per package it passes on. */
    providers: Record<string, string>;
    /** Inputs in wire form: a secret is `{ [SECRET_SIG_KEY]: SECRET_SIG, value }`. */
    inputs: Record<string, unknown>;
}

export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a wire-form value is a secret. */
export function isWireSecret(value: unknown): value is { value: unknown } {
    return (
        typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
    );
}

/** The namespaces the mocked cluster has: a fresh cluster's, and `shop` for multi-namespace stacks. */
const EXISTING_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system", "shop", "bookinfo"];

/** Labels of namespaces in the mocked cluster, by name: what a read of each returns. */
export type NamespaceLabels = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** What the mocked cluster holds beyond a fresh cluster's namespaces: what reads find. */
export interface MockCluster {
    /** Labels on existing namespaces. */
    readonly namespaceLabels?: NamespaceLabels;
    /**
     * Deployments that exist, as `namespace/name`.
     * @default ["istio-system/istiod"]: the istiod the committed stacks ran before revisions
     */
    readonly deployments?: readonly string[];
}

/** Deterministic stand-ins for what providers would return, on `cluster`. */
const mocksOn = (cluster: MockCluster): pulumi.runtime.Mocks => ({
    call: (args) => args.inputs,
    newResource: (args) => {
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "random:index/randomPassword:RandomPassword") {
            state.result = `generated-${args.name}`
                .padEnd(Number(args.inputs.length), "x")
                .slice(0, Number(args.inputs.length));
        }
        if (args.type === "kubernetes:core/v1:Secret" && args.inputs.type === "kubernetes.io/service-account-token") {
            state.data = { token: Buffer.from(`token-of-${args.name}`).toString("base64") };
        }
        if (args.id !== undefined && args.id !== "" && Object.keys(args.inputs).length === 0) {
            // A read (`Resource.get`): it finds the object under the name its ID gives, or
            // fails as the provider does when the object does not exist.
            const missingNamespace =
                args.type === "kubernetes:core/v1:Namespace" && !EXISTING_NAMESPACES.includes(args.id);
            const missingDeployment =
                args.type === "kubernetes:apps/v1:Deployment" &&
                !(cluster.deployments ?? ["istio-system/istiod"]).includes(args.id);
            if (missingNamespace || missingDeployment) {
                throw new Error(`resource "${args.id}" does not exist`);
            }
            // A namespaced object's ID is `namespace/name`, as the provider reads it.
            const [namespace, name] = args.id.includes("/") ? args.id.split("/") : [undefined, args.id];
            state.metadata = {
                name,
                ...(namespace !== undefined && { namespace }),
                ...(args.type === "kubernetes:core/v1:Namespace" && { labels: { ...cluster.namespaceLabels?.[name] } }),
            };
        }
        if (args.type === "kubernetes:helm.sh/v4:Chart") {
            state.resources = [];
        }
        return { id: args.custom === false ? undefined : `${args.name}-id`, state };
    },
});

/** The alias specs of a registration (the SDK sends specs: `supportsAliasSpecs` is on), fields as set. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function aliasesOf(req: any): Registration["aliases"] {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return req.getAliasesList().map((alias: any) => {
        const spec = alias.getSpec();
        if (spec === undefined) {
            return { urn: alias.getUrn() };
        }
        return {
            ...(spec.getName() !== "" && { name: spec.getName() }),
            ...(spec.getType() !== "" && { type: spec.getType() }),
            ...(spec.getParenturn() !== "" && { parentUrn: spec.getParenturn() }),
        };
    });
}

export class RecordingMonitor extends MockMonitor {
    readonly registrations: Registration[] = [];

    constructor(cluster: MockCluster = {}) {
        super(mocksOn(cluster));
    }

    // The request is the SDK's protobuf ReadResourceRequest.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override async readResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
        const registration: Registration = {
            urn: "",
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent(),
            custom: true,
            remote: false,
            dependencies: [...req.getDependenciesList()].sort(),
            propertyDependencies: {},
            retainOnDelete: false,
            protect: false,
            aliases: [],
            inputs: {},
            readId: req.getId(),
            provider: req.getProvider(),
            providers: {},
        };
        this.registrations.push(registration);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        return super.readResource(req, (err: any, response: any) => {
            if (response) {
                registration.urn = response.getUrn();
            }
            if (err) {
                registration.readError = String(err.message ?? err);
            }
            callback(err, response);
        });
    }

    // The request is the SDK's protobuf RegisterResourceRequest.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override async registerResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps: { getUrnsList(): string[] }, key: string) => {
            propertyDependencies[key] = [...deps.getUrnsList()].sort();
        });
        const registration: Registration = {
            urn: "",
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent(),
            custom: req.getCustom(),
            remote: req.getRemote(),
            dependencies: [...req.getDependenciesList()].sort(),
            propertyDependencies,
            retainOnDelete: req.getRetainondelete() === true,
            protect: req.getProtect() === true,
            aliases: aliasesOf(req),
            inputs: req.getObject()?.toJavaScript() ?? {},
            provider: req.getProvider(),
            providers: Object.fromEntries(req.getProvidersMap().toArray()),
        };
        this.registrations.push(registration);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        return super.registerResource(req, (err: any, response: any) => {
            if (response) {
                registration.urn = response.getUrn();
            }
            callback(err, response);
        });
    }
}

/** Installs a fresh recording monitor, as `setMocks` would install its own. */
export function installRecordingMonitor(project: string, stack: string, cluster: MockCluster = {}): RecordingMonitor {
    const monitor = new RecordingMonitor(cluster);
    pulumi.runtime.setMockOptions(monitor, project, stack, false);
    // The feature flags setMocks sets; outputValues stays off so inputs arrive as plain values.
    const store = getStore();
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    store.supportsDeletedWith = true;
    store.supportsAliasSpecs = true;
    store.supportsTransforms = false;
    return monitor;
}

import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as sdkState from "@pulumi/pulumi/runtime/state";
import { DEPLOYMENT_RECORD_TYPE, deploymentRecordProvider } from "../../components/mesh/deployment-record";

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
    aliases: { name?: string; type?: string; parentUrn?: string; noParent?: true; urn?: string }[];
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

/** The namespaces every cluster starts with: what `kubeadm`, kind or minikube create. */
export const FRESH_NAMESPACES: readonly string[] = ["default", "kube-node-lease", "kube-public", "kube-system"];

/** Labels of namespaces in the mocked cluster, by name: what a read of each returns. */
export type NamespaceLabels = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * What the mocked cluster holds before a run: a read finds exactly this, and fails on
 * anything else, as the provider's read of a missing object fails the deployment. The
 * default, `{}`, is a fresh cluster: its four namespaces, no labels, no Deployments.
 */
export interface MockCluster {
    /**
     * Namespaces that exist beyond a fresh cluster's (an application's, such as `shop`).
     * @default []
     */
    readonly namespaces?: readonly string[];
    /**
     * Labels on existing namespaces; a namespace named here exists.
     * @default {}
     */
    readonly namespaceLabels?: NamespaceLabels;
    /**
     * Deployments that exist, as `namespace/name`.
     * @default []
     */
    readonly deployments?: readonly string[];
    /**
     * The outputs the stack's last deployment saved, which a StackReference to the stack
     * reads; not the cluster's, but state a run starts from all the same.
     * @default {} (no deployment yet)
     */
    readonly lastOutputs?: Readonly<Record<string, unknown>>;
    /**
     * What the mesh's deployment record held after the last deployment (its `record` input):
     * the inputs its provider's `check` receives as the old ones.
     * @default none (no deployment yet)
     */
    readonly lastRecord?: Readonly<Record<string, unknown>>;
    /**
     * Resources whose create or update fails, by name, as a stuck rollout or a refused object
     * fails a step half way: the provider returns an error for them.
     * @default []
     */
    readonly failing?: readonly string[];
    /**
     * A provider's work done for real instead of by the stand-ins below: resolves to outputs
     * that replace theirs for a resource (of its wire-form inputs), or to undefined to keep
     * them. The API-server suite signs the mesh's CAs with openssl and reads back the token a
     * cluster's token controller wrote (test/apiserver/multi-cluster.apiserver.ts).
     * @default none
     */
    readonly provide?: (
        type: string,
        name: string,
        inputs: Record<string, unknown>,
    ) => Promise<Record<string, unknown> | undefined>;
}

/** Whether `cluster` holds the object a read of `type` and `id` asks for. */
function holds(cluster: MockCluster, type: string, id: string): boolean {
    switch (type) {
        case "kubernetes:core/v1:Namespace":
            return (
                FRESH_NAMESPACES.includes(id) ||
                (cluster.namespaces ?? []).includes(id) ||
                Object.keys(cluster.namespaceLabels ?? {}).includes(id)
            );
        case "kubernetes:apps/v1:Deployment":
            return (cluster.deployments ?? []).includes(id);
        default:
            // The program reads nothing else: a read of another kind is a new fact the mock must be taught.
            throw new Error(`the mock cluster does not model reads of ${type}`);
    }
}

/** Deterministic stand-ins for what providers would return, on `cluster`. */
const mocksOn = (cluster: MockCluster): pulumi.runtime.Mocks => ({
    call: (args) => args.inputs,
    newResource: async (args) => {
        // A read (`Resource.get`) carries the ID it reads and no inputs.
        const readId =
            args.id !== undefined && args.id !== "" && Object.keys(args.inputs).length === 0 ? args.id : undefined;
        const read = readId !== undefined;
        if (!read && (cluster.failing ?? []).includes(args.name)) {
            throw new Error(`${args.type} ${args.name} failed: the step stops here`);
        }
        if (args.type === DEPLOYMENT_RECORD_TYPE) {
            // The engine calls the record's provider's check with the inputs the last step
            // stored, before its step, in a preview as in an up: a refusal fails the step.
            const olds = cluster.lastRecord === undefined ? {} : { record: cluster.lastRecord };
            const checked = await deploymentRecordProvider.check?.(olds, args.inputs);
            if (checked?.failures !== undefined && checked.failures.length > 0) {
                throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"));
            }
        }
        const state: Record<string, unknown> = { ...args.inputs };
        // The TLS provider's outputs, as recognisable stand-ins: PEM blocks named after the resource.
        const pem = (kind: string): string => `-----BEGIN ${kind}-----\n${args.name}\n-----END ${kind}-----\n`;
        if (args.type === "tls:index/privateKey:PrivateKey") {
            state.privateKeyPem = pem("PRIVATE KEY");
            state.publicKeyPem = pem("PUBLIC KEY");
        }
        if (args.type === "tls:index/certRequest:CertRequest") {
            state.certRequestPem = pem("CERTIFICATE REQUEST");
        }
        if (
            args.type === "tls:index/selfSignedCert:SelfSignedCert" ||
            args.type === "tls:index/locallySignedCert:LocallySignedCert"
        ) {
            state.certPem = pem("CERTIFICATE");
        }
        if (args.type === "random:index/randomPassword:RandomPassword") {
            state.result = `generated-${args.name}`
                .padEnd(Number(args.inputs.length), "x")
                .slice(0, Number(args.inputs.length));
        }
        if (args.type === "kubernetes:core/v1:Secret" && args.inputs.type === "kubernetes.io/service-account-token") {
            state.data = {
                token: Buffer.from(`token-of-${args.name}`).toString("base64"),
                "ca.crt": Buffer.from(`ca-of-${args.name}`).toString("base64"),
            };
        }
        Object.assign(state, read ? undefined : await cluster.provide?.(args.type, args.name, args.inputs));
        if (readId !== undefined) {
            // A read finds the object under the name its ID gives, or fails as the provider
            // does when the object does not exist.
            if (!holds(cluster, args.type, readId)) {
                throw new Error(`resource "${readId}" does not exist`);
            }
            // A namespaced object's ID is `namespace/name`, as the provider reads it.
            const [namespace, name] = readId.includes("/") ? readId.split("/") : [undefined, readId];
            state.metadata = {
                name,
                ...(namespace !== undefined && { namespace }),
                ...(args.type === "kubernetes:core/v1:Namespace" && { labels: { ...cluster.namespaceLabels?.[name] } }),
            };
        }
        if (args.type === "kubernetes:helm.sh/v4:Chart") {
            state.resources = [];
        }
        if (args.type === "pulumi:pulumi:StackReference") {
            state.outputs = { ...cluster.lastOutputs };
            state.secretOutputNames = [];
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
            ...(spec.getNoparent() === true && { noParent: true as const }),
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
    // The DIY backends' organization: a StackReference to the stack names it.
    pulumi.runtime.setMockOptions(monitor, project, stack, false, "organization");
    // The feature flags setMocks sets; outputValues stays off so inputs arrive as plain values.
    const store = getStore();
    // Each run waits for its own RPCs only: one a failed run left waiting forever is dropped.
    (store as unknown as { settings: { rpcDone: Promise<void> } }).settings.rpcDone = Promise.resolve();
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    store.supportsDeletedWith = true;
    store.supportsAliasSpecs = true;
    store.supportsTransforms = false;
    return monitor;
}

import * as crypto from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { runHelm } from "./helm";
import { lookupServer } from "./lookup-server";
import { MESH_NAME } from "./graph";
import { isWireSecret, MockCluster, Registration } from "./monitor";
import { evaluateStack, forgetEvaluation, ProgramRun } from "./program";
import { chartDirectory, vendoredChartFor } from "./vendored-charts";

/**
 * Renders every Chart a program registers the way Chart v4 does
 * (pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go): `helm template` with the
 * Chart's exact values, CRDs included unless `skipCrds`, every hook dropped (test hooks
 * too), and the Chart's namespace given to each namespaced object that has none. Like
 * Chart v4 it renders with `--dry-run=server`, so a chart's `lookup` calls reach an API
 * server: an empty cluster seen with the preview credential's rights (./lookup-server.ts).
 */

/** The Kubernetes version the render assumes; Chart v4 asks the cluster, offline we state one. */
const RENDER_KUBE_VERSION = "1.34.0";

/** What a generated secret renders as: stable, so two renders are byte-identical. */
export const SECRET_PLACEHOLDER = "[secret]";

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
    [field: string]: unknown;
}

/** One Chart registration, as Chart v4 reads it. */
export interface ChartRequest {
    /** The Chart resource's name within the program's mesh, e.g. `ingress-gateway` for `mesh-ingress-gateway`. */
    resourceName: string;
    release: string;
    namespace: string;
    chart: string;
    version: string;
    skipCrds: boolean;
    values: Record<string, unknown>;
}

export interface RenderedRelease extends ChartRequest {
    objects: K8sObject[];
    /** The objects as YAML documents, each after a `# Source:` line naming its template. */
    manifest: string;
}

export class RenderError extends Error {}

/** Chart registrations in a recorded run, by resource name. */
export function chartRequests(registrations: readonly Registration[]): ChartRequest[] {
    return registrations
        .filter((r) => r.type === "kubernetes:helm.sh/v4:Chart")
        .map((r) => ({
            resourceName: r.name.startsWith(`${MESH_NAME}-`) ? r.name.slice(MESH_NAME.length + 1) : r.name,
            release: typeof r.inputs.name === "string" ? r.inputs.name : r.name,
            // Chart v4 falls back to the provider's default namespace.
            namespace: typeof r.inputs.namespace === "string" ? r.inputs.namespace : "default",
            chart: String(r.inputs.chart),
            version: String(r.inputs.version),
            skipCrds: r.inputs.skipCrds === true,
            values: helmValues(r.inputs.values ?? {}, `${r.name}.values`) as Record<string, unknown>,
        }))
        .sort((a, b) => (a.resourceName < b.resourceName ? -1 : 1));
}

/** Wire-form values as Helm gets them: secrets as a stable placeholder, unknowns refused. */
function helmValues(value: unknown, at: string): unknown {
    if (isWireSecret(value)) {
        return SECRET_PLACEHOLDER;
    }
    if (value === "04da6b54-80e4-46f7-96ec-b56ff0331ba9") {
        throw new RenderError(`${at} is unknown until deployment, so Chart v4 could not render it either`);
    }
    if (Array.isArray(value)) {
        return value.map((item, i) => helmValues(item, `${at}[${i}]`));
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, helmValues(item, `${at}.${key}`)]));
    }
    return value;
}

/** Built-in kinds with no namespace; every other built-in kind a chart renders is namespaced. */
const CLUSTER_SCOPED = new Set([
    "APIService",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "PersistentVolume",
    "PriorityClass",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
]);

/**
 * Renders one Chart from its vendored source (or from `dir`); a failure names the chart,
 * the release and Helm's message.
 */
export async function renderChart(
    request: ChartRequest,
    dir = chartDirectory(vendoredChartFor(request)),
): Promise<RenderedRelease> {
    const what = `chart ${request.chart} ${request.version} (release ${request.release})`;
    const valuesDir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-values-"));
    const valuesFile = path.join(valuesDir, "values.json");
    fs.writeFileSync(valuesFile, JSON.stringify(request.values));
    let output: string;
    try {
        const { kubeconfig } = await lookupServer();
        const args = [
            "template",
            request.release,
            dir,
            "--namespace",
            request.namespace,
            "--values",
            valuesFile,
            "--no-hooks",
            "--kube-version",
            RENDER_KUBE_VERSION,
            "--dry-run=server",
            "--kubeconfig",
            kubeconfig,
        ];
        output = await runHelm(request.skipCrds ? args : [...args, "--include-crds"]);
    } catch (error) {
        throw new RenderError(`${what} failed to render: ${(error as Error).message}`);
    } finally {
        fs.rmSync(valuesDir, { recursive: true, force: true });
    }
    const documents = parseManifest(output, what).map(({ source, object }) => ({
        source,
        object:
            CLUSTER_SCOPED.has(object.kind) || object.metadata.namespace !== undefined
                ? object
                : withNamespace(object, request.namespace),
    }));
    const manifest = documents
        .map(({ source, object }) => `---\n# Source: ${source}\n${yaml.dump(object, { lineWidth: -1, noRefs: true })}`)
        .join("");
    return { ...request, objects: documents.map((document) => document.object), manifest };
}

function withNamespace(object: K8sObject, namespace: string): K8sObject {
    return { ...object, metadata: { ...object.metadata, namespace } };
}

/** Helm's output as objects, each with the template it came from; empty documents dropped. */
function parseManifest(output: string, what: string): { source: string; object: K8sObject }[] {
    return output.split(/^---\s*$/m).flatMap((text) => {
        const source = /^# Source: (.+)$/m.exec(text)?.[1] ?? "";
        const parsed = yaml.load(text) as K8sObject | null | undefined;
        if (parsed === null || parsed === undefined) {
            return [];
        }
        if (typeof parsed.kind !== "string" || typeof parsed.metadata?.name !== "string") {
            throw new RenderError(`${what} rendered a document without kind or metadata.name in ${source}`);
        }
        // A List is its items to the engine.
        const items =
            parsed.kind.endsWith("List") && Array.isArray(parsed.items) ? (parsed.items as K8sObject[]) : [parsed];
        return items.map((object) => ({ source, object }));
    });
}

/** Renders every Chart of a recorded run, in parallel; resolves in resource-name order. */
export function renderCharts(registrations: readonly Registration[]): Promise<RenderedRelease[]> {
    return Promise.all(chartRequests(registrations).map((request) => renderChart(request)));
}

const sharedReleases = new Map<string, Promise<RenderedRelease>>();

/**
 * Like `renderCharts`, but a request equal to one rendered before in this process (the same
 * chart, version, release, namespace and values, as most are from one upgrade step to the
 * next) shares that render. A test of render determinism uses `renderCharts`.
 */
function renderChartsShared(registrations: readonly Registration[]): Promise<RenderedRelease[]> {
    return Promise.all(
        chartRequests(registrations).map((request) => {
            const key = canonicalJson(request);
            let release = sharedReleases.get(key);
            if (release === undefined) {
                release = renderChart(request);
                sharedReleases.set(key, release);
            }
            return release;
        }),
    );
}

export interface StackRender {
    stack: string;
    run: ProgramRun;
    releases: RenderedRelease[];
}

const renders = new Map<string, Promise<StackRender>>();

function renderKey(stack: string, overrides: Record<string, unknown>, cluster: MockCluster): string {
    return `${stack}\0${JSON.stringify(overrides)}\0${JSON.stringify(cluster)}`;
}

/**
 * A committed stack (with `overrides` merged into its config) evaluated and rendered once
 * per process: every test that reads rendered objects shares it. Reads find what `cluster`
 * holds (a step of an upgrade sees what the step before left).
 */
export function renderStack(
    stack: string,
    overrides: Record<string, unknown> = {},
    cluster: MockCluster = {},
): Promise<StackRender> {
    const key = renderKey(stack, overrides, cluster);
    let render = renders.get(key);
    if (render === undefined) {
        render = evaluateAndRender(stack, overrides, cluster);
        renders.set(key, render);
    }
    return render;
}

/** Drops the shared render and run of one stack and config, so the next request evaluates and renders anew. */
export function forgetRender(stack: string, overrides: Record<string, unknown> = {}, cluster: MockCluster = {}): void {
    renders.delete(renderKey(stack, overrides, cluster));
    forgetEvaluation(stack, overrides, cluster);
}

async function evaluateAndRender(
    stack: string,
    overrides: Record<string, unknown>,
    cluster: MockCluster,
): Promise<StackRender> {
    const run = await evaluateStack(stack, overrides, cluster);
    if (run.error !== undefined) {
        throw run.error;
    }
    return { stack, run, releases: await renderChartsShared(run.registrations) };
}

/** JSON with keys sorted at every level: the same object gives the same text. */
function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(canonicalJson).join(",")}]`;
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.keys(value)
            .sort()
            .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
        return `{${entries.join(",")}}`;
    }
    return JSON.stringify(value);
}

/** A short digest of an object's content, for the plan snapshots. */
export function objectDigest(object: K8sObject): string {
    return crypto.createHash("sha256").update(canonicalJson(object)).digest("hex").slice(0, 12);
}

import Ajv from "ajv";
import * as fs from "fs";
import { isIPv4, isIPv6 } from "net";
import * as yaml from "js-yaml";
import * as path from "path";

/**
 * The upstream charts' values files, template keys and Istio CRD schemas (test/reference/),
 * to check that every value we set is one the chart reads and every Istio resource matches
 * its CRD.
 */

const REFERENCE = path.resolve(__dirname, "..", "reference");

type Tree = Record<string, unknown>;

function readYaml(file: string): Tree {
    return yaml.load(fs.readFileSync(path.join(REFERENCE, file), "utf8")) as Tree;
}

const templateKeys = JSON.parse(fs.readFileSync(path.join(REFERENCE, "template-value-keys.json"), "utf8")) as Record<
    string,
    string[]
>;

/** Every leaf path of a values object, as dotted keys (arrays are leaves). */
export function leafPaths(values: unknown, prefix = ""): string[] {
    if (typeof values !== "object" || values === null || Array.isArray(values) || Object.keys(values).length === 0) {
        return [prefix];
    }
    return Object.entries(values as Tree).flatMap(([key, value]) =>
        leafPaths(value, prefix ? `${prefix}.${key}` : key),
    );
}

/** Whether `values.yaml` has the path, or is a free-form map (`{}`) or leaf where it stops. */
function inValuesFile(defaults: Tree, dotted: string): boolean {
    let node: unknown = defaults;
    for (const key of dotted.split(".")) {
        if (typeof node !== "object" || node === null || Array.isArray(node)) {
            return false;
        }
        const map = node as Tree;
        if (Object.keys(map).length === 0) {
            return true; // a map the chart leaves for users to fill
        }
        if (!(key in map)) {
            return false;
        }
        node = map[key];
    }
    return true;
}

/**
 * Maps a chart renders whole into its application's own config, whose fields that app
 * defines: kiali-server writes `external_services` into Kiali's ConfigMap as it is (Kiali CR
 * spec: `prometheus.url`, `grafana.internal_url`, `tracing.provider`, ...).
 */
export const RENDERED_WHOLE: Record<string, readonly string[]> = {
    "kiali-server-2.29.0": ["external_services.prometheus", "external_services.grafana", "external_services.tracing"],
    // istiod writes meshConfig into the `istio` ConfigMap as it is; MeshConfig's
    // `pathNormalization` (ProxyPathNormalization) is a field neither values file sets.
    "istio-1.30/istiod": ["meshConfig.pathNormalization"],
    "istio-1.31/istiod": ["meshConfig.pathNormalization"],
};

/**
 * The paths of `values` that chart `chart` (a key of template-value-keys.json) does not
 * read. A path is read when it is in one of `valuesFiles` (the chart's values.yaml, or an
 * official values set for it such as Istio's demo profile), or is a template key, or lies
 * under a template key the templates read whole (one no other template key extends).
 */
export function unknownValuePaths(chart: string, valuesFiles: readonly string[], values: unknown): string[] {
    const defaults = valuesFiles.map((file) => {
        const tree = readYaml(file);
        // Istio's charts keep their defaults under this key and merge it into the top level.
        return { ...tree, ...((tree["_internal_defaults_do_not_set"] as Tree | undefined) ?? {}) };
    });
    const keys = templateKeys[chart];
    if (!keys) {
        throw new Error(`no template keys for ${chart}`);
    }
    const readWhole = [
        ...keys.filter((key) => !keys.some((other) => other.startsWith(`${key}.`))),
        ...(RENDERED_WHOLE[chart] ?? []),
    ];
    return leafPaths(values).filter(
        (dotted) =>
            !defaults.some((tree) => inValuesFile(tree, dotted)) &&
            !keys.includes(dotted) &&
            !readWhole.some((key) => dotted.startsWith(`${key}.`)),
    );
}

// The OpenAPI number and byte formats the CRDs use are not JSON Schema ones; Kubernetes checks the type alone.
// The Gateway API CRDs' address formats are checked as the API server does.
const ajv = new Ajv({
    strict: false,
    allErrors: true,
    formats: { int32: true, int64: true, float: true, double: true, byte: true, ipv4: isIPv4, ipv6: isIPv6 },
});

/** Errors of `values` against a chart's values.schema.json, or []. */
export function chartSchemaErrors(schemaFile: string, values: unknown): string[] {
    const schema = JSON.parse(fs.readFileSync(path.join(REFERENCE, schemaFile), "utf8")) as Tree;
    delete schema["$schema"];
    const validate = ajv.compile(schema);
    return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

export interface Crd {
    spec: {
        group: string;
        names: { kind: string };
        versions: { name: string; served: boolean; schema: { openAPIV3Schema: Tree } }[];
    };
}

const crds = (
    yaml.loadAll(fs.readFileSync(path.join(REFERENCE, "istio-1.31", "crd-all.gen.yaml"), "utf8")) as (Crd | null)[]
).filter((doc): doc is Crd => doc !== null);

/** Number of Istio CRDs the base chart installs. */
export const ISTIO_CRD_COUNT = crds.length;

/**
 * Errors of an Istio custom resource against its CRD's schema, or [] when it conforms;
 * against the upstream CRD file unless given the CRDs to use (those a chart rendered).
 */
export function crdSchemaErrors(
    resource: { apiVersion: string; kind: string; spec: unknown },
    fromCrds: readonly Crd[] = crds,
): string[] {
    const [group, version] = resource.apiVersion.split("/");
    const crd = fromCrds.find((c) => c.spec.group === group && c.spec.names.kind === resource.kind);
    const served = crd?.spec.versions.find((v) => v.name === version && v.served);
    if (!served) {
        return [`${resource.apiVersion} ${resource.kind} is not served by Istio 1.31's CRDs`];
    }
    const specSchema = (served.schema.openAPIV3Schema.properties as Tree)["spec"] as Tree;
    const validate = ajv.compile(specSchema);
    const errors = validate(resource.spec)
        ? []
        : (validate.errors ?? []).map((e) => `spec${e.instancePath} ${e.message}`);
    return [...errors, ...prunedFields(specSchema, resource.spec, "spec")];
}

/**
 * Fields the API server would silently drop (structural-schema pruning): a typo there is
 * not an error to Kubernetes, only a setting that never takes effect.
 */
function prunedFields(schema: Tree, value: unknown, at: string): string[] {
    if (Array.isArray(value)) {
        const items = schema["items"] as Tree | undefined;
        return items ? value.flatMap((item, i) => prunedFields(items, item, `${at}[${i}]`)) : [];
    }
    if (typeof value !== "object" || value === null || schema["x-kubernetes-preserve-unknown-fields"]) {
        return [];
    }
    const properties = schema["properties"] as Record<string, Tree> | undefined;
    const additional = schema["additionalProperties"] as Tree | undefined;
    return Object.entries(value as Tree).flatMap(([key, child]) => {
        const childSchema = properties?.[key] ?? additional;
        return childSchema
            ? prunedFields(childSchema, child, `${at}.${key}`)
            : [`${at}.${key} is not in the CRD schema`];
    });
}

const ISTIO_CHARTS = ["base", "istiod", "gateway"];

/**
 * Every problem with the values a `helm.sh/v4:Chart` registration sets: paths the pinned
 * chart does not read, and errors against its values.schema.json where it ships one.
 */
export function chartValueProblems(chart: string, version: string, values: unknown): string[] {
    const istio = ISTIO_CHARTS.includes(chart);
    const key = istio ? `istio-${version.split(".").slice(0, 2).join(".")}/${chart}` : `${chart}-${version}`;
    const valuesFiles = istio
        ? [`${key}.values.yaml`, ...(chart === "istiod" ? [`${path.dirname(key)}/demo-profile.values.yaml`] : [])]
        : [`${key}/values.yaml`];
    const schemaFile = istio ? `${key}.values.schema.json` : `${key}/values.schema.json`;
    const unread = unknownValuePaths(key, valuesFiles, values).map(
        (dotted) => `${key}: ${dotted} is not read by the chart`,
    );
    const invalid = fs.existsSync(path.join(REFERENCE, schemaFile))
        ? chartSchemaErrors(schemaFile, values).map((error) => `${key}: ${error}`)
        : [];
    return [...unread, ...invalid];
}

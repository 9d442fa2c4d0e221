import { K8sObject } from "./render";

/**
 * Validation of rendered objects against the Kubernetes API's OpenAPI schemas, as the
 * `kubernetes-models` package compiles them: one class per kind, whose `validate()` checks
 * types, required fields, enums and formats such as quantities.
 */

interface Model {
    validate(): void;
}

type ModelClass = new (data: unknown) => Model;

// kubernetes-models is an ES module only; a CommonJS program reaches it through import().
const importModule = new Function("specifier", "return import(specifier)") as (
    specifier: string,
) => Promise<Record<string, ModelClass>>;

const modules = new Map<string, Promise<Record<string, ModelClass> | undefined>>();

/** The package's classes of one API version (`v1`, `apps/v1`, ...), or undefined for one it lacks. */
function apiVersionModule(apiVersion: string): Promise<Record<string, ModelClass> | undefined> {
    let loaded = modules.get(apiVersion);
    if (loaded === undefined) {
        loaded = importModule(`kubernetes-models/${apiVersion}`).catch(() => undefined);
        modules.set(apiVersion, loaded);
    }
    return loaded;
}

/** Why the API server would reject `object`'s shape, or [] when it conforms. */
export async function kubernetesSchemaErrors(object: K8sObject): Promise<string[]> {
    const Model = (await apiVersionModule(object.apiVersion))?.[object.kind];
    if (Model === undefined) {
        return [`${object.apiVersion} ${object.kind} is not a kind of the Kubernetes API`];
    }
    try {
        new Model(object).validate();
        return [];
    } catch (error) {
        return [(error as Error).message.replace(/\s+/g, " ").trim()];
    }
}

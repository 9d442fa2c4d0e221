/**
 * The kubernetes provider's settings (`kubernetes:*` config), which a stack may set for the
 * default provider. An explicit provider does not read them, so the one this program
 * creates gets them passed on, typed as `k8s.ProviderArgs` wants them.
 */

/** Settings that are ProviderArgs fields, by the type the provider takes. */
const BOOLEAN_SETTINGS = [
    "alwaysRender",
    "deleteUnreachable",
    "enableConfigMapMutable",
    "enablePatchForce",
    "enableSecretMutable",
    "enableServerSideApply",
    "skipUpdateUnreachable",
    "suppressDeprecationWarnings",
    "suppressHelmHookWarnings",
    "upsertExistingObjects",
] as const;
const OBJECT_SETTINGS = ["helmReleaseSettings", "kubeClientSettings"] as const;
const STRING_SETTINGS = [
    "cluster",
    "clusterIdentifier",
    "context",
    "kubeconfig",
    "namespace",
    "renderYamlToDirectory",
] as const;

/** Config-only settings of the default provider, with no ProviderArgs field. */
const CONFIG_ONLY_SETTINGS = ["enableReplaceCRD", "strictMode"] as const;

/** Every `kubernetes:` key a stack may set (a test keeps this in step with the pinned package). */
export const KUBERNETES_SETTINGS: readonly string[] = [
    ...BOOLEAN_SETTINGS,
    ...OBJECT_SETTINGS,
    ...STRING_SETTINGS,
    ...CONFIG_ONLY_SETTINGS,
].sort();

/** The stack's provider settings as ProviderArgs fields: booleans and objects parsed, the rest as text. */
export type ProviderSettings = Readonly<Record<string, string | boolean | object>>;

/**
 * The `kubernetes:` settings in raw config (full keys, string values) as ProviderArgs fields.
 * A value of the wrong form is passed on as written, for the provider to refuse by name.
 */
export function providerSettings(raw: Readonly<Record<string, string>>): ProviderSettings {
    const settings: Record<string, string | boolean | object> = {};
    for (const [key, value] of Object.entries(raw)) {
        const name = key.startsWith("kubernetes:") ? key.slice("kubernetes:".length) : undefined;
        if (name === undefined || (CONFIG_ONLY_SETTINGS as readonly string[]).includes(name)) {
            continue;
        }
        if ((BOOLEAN_SETTINGS as readonly string[]).includes(name)) {
            settings[name] = value === "true" ? true : value === "false" ? false : value;
        } else if ((OBJECT_SETTINGS as readonly string[]).includes(name)) {
            settings[name] = parseObject(value) ?? value;
        } else if ((STRING_SETTINGS as readonly string[]).includes(name)) {
            settings[name] = value;
        }
    }
    return settings;
}

function parseObject(text: string): object | undefined {
    try {
        const parsed = JSON.parse(text) as unknown;
        return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Where the policies hold, and the helpers they share. Every stack is protected but those
 * the pack's config names (`dev`), so a new environment is protected from its first preview.
 */

/** Stacks these policies leave alone unless the pack's config names others. */
export const DEFAULT_UNPROTECTED_STACKS = ["dev"];

/** Each policy's config: the stacks it leaves alone. */
export interface InvariantConfig {
    unprotectedStacks: string[];
}

export const configSchema = {
    properties: {
        unprotectedStacks: {
            type: "array" as const,
            items: { type: "string" as const },
            default: DEFAULT_UNPROTECTED_STACKS,
        },
    },
};

/** Istio's mesh root namespace: a policy there without a selector is mesh-wide. */
export const MESH_ROOT_NAMESPACE = "istio-system";

/** The stack of a resource, from its URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
    return urn.split("::")[0].replace(/^urn:pulumi:/, "");
}

/** The engine fills each policy's config from the schema's defaults; a runner that does not gets them here. */
export function isProtected(urn: string, config: Partial<InvariantConfig>): boolean {
    return !(config.unprotectedStacks ?? DEFAULT_UNPROTECTED_STACKS).includes(stackOfUrn(urn));
}

export type Props = Record<string, unknown>;

export const get = (value: unknown, ...path: string[]): unknown =>
    path.reduce<unknown>((node, key) => (node as Props | undefined)?.[key], value);

/** `Kind namespace/name` of a resource, for messages. */
export const label = (resource: { type: string; props: Props }): string =>
    `${resource.type.slice(resource.type.lastIndexOf(":") + 1)} ${[get(resource.props, "metadata", "namespace"), get(resource.props, "metadata", "name")].filter((part) => part !== undefined).join("/")}`;

import * as pulumi from "@pulumi/pulumi";

/**
 * The options of a child of the mesh: parented to it, named from it, and aliased to the
 * root-level resource of the same old name. Before `IstioMesh`, the program registered each of
 * these at the root of its stack (`istio-base`, `istiod-1-31-4`, ...); the alias makes the
 * engine take the existing resource for the moved one, so a stack deployed then updates in
 * place, and every descendant follows: the engine derives each child's alias from its
 * parent's, rewriting the parent's name where the child's name starts with it, as all ours do.
 * A new mesh has no such resource, and the alias matches nothing.
 */
export function movedChild(
    parent: pulumi.ComponentResource,
    oldName: string,
    opts: pulumi.CustomResourceOptions = {},
): pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions {
    return { ...opts, parent, aliases: [{ name: oldName, parent: pulumi.rootStackResource }] };
}

/**
 * The package: `IstioMesh` and the types of its arguments and outputs, for any Pulumi
 * program (`npm install`, or `pulumi package add` for other languages). Nothing here
 * registers a resource when loaded: the program that deploys a stack from its config is
 * index.ts at the root, one consumer of this package among others.
 */
export { IstioMesh } from "./istio-mesh";
export type { IngressGatewayInfo, SettingNames } from "./istio-mesh";
export * from "./args/istio-mesh-args";
export { MeshArgsError } from "./args/errors";

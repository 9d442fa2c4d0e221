import { PolicyPack } from "@pulumi/policy";
import { MESH_INVARIANTS } from "./invariants";

/**
 * The policy pack CI runs with every preview and deploy (`--policy-pack components/policies`):
 * Pulumi runs it from this directory, which is why it has a package.json of its own (the
 * pack's name and version); its dependencies resolve from the project's node_modules.
 */
new PolicyPack("istio-mesh", { policies: MESH_INVARIANTS });

import * as fs from "fs";
import * as path from "path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental/provider";
import * as components from "../../components";
import { Console, generatedFileCommand, runAsProgram } from "./command";

/**
 * `npm run schema [-- --check]`: the component package's schema, as `pulumi package add` and
 * `pulumi package get-schema` infer it (the SDK's analyzer, reading the TypeScript types of
 * IstioMesh's arguments and outputs), written to schema.json, or checked against it.
 */

export const ROOT = path.resolve(__dirname, "..", "..");
export const SCHEMA_FILE = "schema.json";

/**
 * The provider that `pulumi package add` runs: the language host finds the components among
 * the package's exports (IstioMesh, IstioMultiClusterMesh) and names the provider after
 * package.json's name.
 */
export function componentProvider(root = ROOT): ComponentProvider {
    const { name } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { name: string };
    return new ComponentProvider({ name, dirname: root, components: getPulumiComponents(components) });
}

/** The inferred schema as committed: indented, one trailing newline. */
export async function inferredSchema(provider = componentProvider()): Promise<string> {
    return `${JSON.stringify(JSON.parse(await provider.getSchema()), null, 2)}\n`;
}

export function schemaCommand(args: readonly string[], io: Console, root = ROOT): Promise<number> {
    return generatedFileCommand(args, io, {
        script: "schema",
        root,
        file: SCHEMA_FILE,
        expected: () => inferredSchema(componentProvider(root)),
    });
}

if (require.main === module) {
    runAsProgram((args, io) => schemaCommand(args, io));
}

import * as fs from "fs";
import * as path from "path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental/provider";
import { IstioMesh } from "../../components";
import { Console, runAsProgram } from "./command";

/**
 * `npm run schema [-- --check]`: the component package's schema, as `pulumi package add` and
 * `pulumi package get-schema` infer it (the SDK's analyzer, reading the TypeScript types of
 * IstioMesh's arguments and outputs), written to schema.json, or checked against it.
 */

export const ROOT = path.resolve(__dirname, "..", "..");
export const SCHEMA_FILE = "schema.json";

/**
 * The provider that `pulumi package add` runs: the language host finds IstioMesh among the
 * package's exports and names the provider after package.json's name.
 */
export function componentProvider(root = ROOT): ComponentProvider {
    const { name } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { name: string };
    return new ComponentProvider({ name, dirname: root, components: [IstioMesh] });
}

/** The inferred schema as committed: indented, one trailing newline. */
export async function inferredSchema(provider = componentProvider()): Promise<string> {
    return `${JSON.stringify(JSON.parse(await provider.getSchema()), null, 2)}\n`;
}

export async function schemaCommand(args: readonly string[], io: Console, root = ROOT): Promise<number> {
    if (args.length > 1 || (args.length === 1 && args[0] !== "--check")) {
        io.err("usage: npm run schema [-- --check]");
        return 2;
    }
    const file = path.join(root, SCHEMA_FILE);
    const expected = await inferredSchema(componentProvider(root));
    const actual = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (actual === expected) {
        io.out(`${SCHEMA_FILE} is up to date`);
        return 0;
    }
    if (args.length === 1) {
        io.err(`${SCHEMA_FILE} is stale: run \`npm run schema\``);
        return 1;
    }
    fs.writeFileSync(file, expected);
    io.out(`wrote ${SCHEMA_FILE}`);
    return 0;
}

if (require.main === module) {
    runAsProgram((args, io) => schemaCommand(args, io));
}

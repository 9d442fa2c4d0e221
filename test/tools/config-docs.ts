import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { CONFIG_KEYS, KeyDeclaration, KeyKind } from "../../components/config/keys";
import { Console, runAsProgram } from "./command";

/**
 * `npm run config-docs`: writes what components/config/keys.ts declares into the two places
 * that show it, `Pulumi.yaml`'s `config:` block (which the CLI checks stack values against)
 * and the README's configuration table; `npm run config-docs -- --check` fails when either
 * is stale.
 */

const ROOT = path.resolve(__dirname, "..", "..");
export const PROJECT_FILE = "Pulumi.yaml";
export const CONFIG_TABLE_FILE = "docs/configuration.md";
const TABLE_START = "<!-- config-table: written by `npm run config-docs` from components/config/keys.ts -->";
const TABLE_END = "<!-- end of config-table -->";

/** The `Pulumi.yaml` type of a kind: the CLI has no decimal type, and its `integer` refuses `0.5`. */
const PROJECT_TYPES: Record<KeyKind, string> = {
    string: "string",
    text: "string",
    quantity: "string",
    decimal: "string",
    boolean: "boolean",
    integer: "integer",
    list: "array",
    map: "object",
};

/** `Pulumi.yaml`'s declaration of one key. */
export function projectDeclaration(declaration: KeyDeclaration): Record<string, unknown> {
    return {
        type: PROJECT_TYPES[declaration.kind],
        ...(declaration.kind === "list" && { items: { type: "string" } }),
        description: declaration.description,
        default: declaration.default,
    };
}

/** A default as the table shows it: as a stack file would write it. */
function shownDefault(value: KeyDeclaration["default"]): string {
    if (Array.isArray(value)) {
        return `\`[${value.join(", ")}]\``;
    }
    if (typeof value === "object") {
        return "`{}`";
    }
    return value === "" ? '`""`' : `\`${String(value)}\``;
}

/** The README's table, markers included. */
export function configTable(): string {
    const rows = Object.entries(CONFIG_KEYS as Record<string, KeyDeclaration>).map(
        ([name, d]) => `| \`${name}\` | ${d.kind} | ${shownDefault(d.default)} | ${d.description} |`,
    );
    return [TABLE_START, "| key | kind | default | meaning |", "| --- | --- | --- | --- |", ...rows, TABLE_END].join(
        "\n",
    );
}

/** The project file with its `config:` block written from the declarations. */
export function projectFile(current: string): string {
    const project = yaml.load(current) as Record<string, unknown>;
    const config = Object.fromEntries(
        Object.entries(CONFIG_KEYS as Record<string, KeyDeclaration>).map(([name, d]) => [name, projectDeclaration(d)]),
    );
    return yaml.dump({ ...project, config }, { lineWidth: -1, noRefs: true });
}

/** The README with its configuration table rewritten, or undefined if it has no markers. */
export function readmeFile(current: string): string | undefined {
    const start = current.indexOf(TABLE_START);
    const end = current.indexOf(TABLE_END);
    if (start < 0 || end < start) {
        return undefined;
    }
    return current.slice(0, start) + configTable() + current.slice(end + TABLE_END.length);
}

/** Each file this command writes, with what it holds now and what it should hold. */
export function configDocs(root = ROOT): { file: string; actual: string; expected: string | undefined }[] {
    const read = (file: string): string => fs.readFileSync(path.join(root, file), "utf8");
    return [
        { file: PROJECT_FILE, actual: read(PROJECT_FILE), expected: projectFile(read(PROJECT_FILE)) },
        { file: CONFIG_TABLE_FILE, actual: read(CONFIG_TABLE_FILE), expected: readmeFile(read(CONFIG_TABLE_FILE)) },
    ];
}

export async function configDocsCommand(args: readonly string[], io: Console, root = ROOT): Promise<number> {
    if (args.length > 1 || (args.length === 1 && args[0] !== "--check")) {
        io.err("usage: npm run config-docs [-- --check]");
        return 2;
    }
    const check = args.length === 1;
    let code = 0;
    for (const { file, actual, expected } of configDocs(root)) {
        if (expected === undefined) {
            io.err(`${file} has no configuration table between ${TABLE_START} and ${TABLE_END}`);
            code = 1;
        } else if (actual === expected) {
            io.out(`${file} is up to date`);
        } else if (!check) {
            fs.writeFileSync(path.join(root, file), expected);
            io.out(`wrote ${file}`);
        } else {
            io.err(`${file} is stale: run \`npm run config-docs\``);
            code = 1;
        }
    }
    return code;
}

if (require.main === module) {
    runAsProgram((args, io) => configDocsCommand(args, io));
}

import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { Console, runAsProgram } from "./command";

/**
 * `npm run component-docs [-- --check]`: docs/component.md's tables of IstioMesh's
 * arguments and outputs, written from the TSDoc of the types (the same text the schema's
 * descriptions come from, with each `@default`), so the page never drifts from the code.
 */

const ROOT = path.resolve(__dirname, "..", "..");
export const COMPONENT_PAGE = "docs/component.md";
const ARGS_FILE = "components/args/istio-mesh-args.ts";
const COMPONENT_FILE = "components/istio-mesh.ts";
const ARGS_START = "<!-- args:start (npm run component-docs) -->";
const ARGS_END = "<!-- args:end -->";
const OUTPUTS_START = "<!-- outputs:start (npm run component-docs) -->";
const OUTPUTS_END = "<!-- outputs:end -->";

interface Row {
    readonly name: string;
    readonly type: string;
    readonly default?: string;
    readonly description: string;
}

/** A symbol's TSDoc text, on one line, and its `@default`. */
function documentation(symbol: ts.Symbol, checker: ts.TypeChecker): { text: string; default?: string } {
    const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, " ").trim();
    const tag = symbol.getJsDocTags(checker).find((t) => t.name === "default");
    return {
        text,
        ...(tag !== undefined && { default: ts.displayPartsToString(tag.text).replace(/\s+/g, " ").trim() }),
    };
}

/** The interface a property's type names, if it is one of ours (nested arguments). */
function nestedInterface(type: ts.Type): ts.Type | undefined {
    const own = type.getNonNullableType();
    const declaration = own.getSymbol()?.declarations?.[0];
    const ours = declaration?.getSourceFile().fileName.endsWith(ARGS_FILE) === true;
    return declaration !== undefined && ts.isInterfaceDeclaration(declaration) && ours ? own : undefined;
}

/**
 * The rows of an interface's properties, nested ones under their path; an interface met
 * again (the same requests and limits for each part) points to its first rows.
 */
function argumentRows(
    type: ts.Type,
    checker: ts.TypeChecker,
    prefix: string,
    expanded = new Map<ts.Type, string>(),
): Row[] {
    return type.getProperties().flatMap((property) => {
        const declaration = property.valueDeclaration ?? property.declarations?.[0];
        if (declaration === undefined) {
            return [];
        }
        const propertyType = checker.getTypeOfSymbolAtLocation(property, declaration);
        const name = `${prefix}${property.getName()}`;
        const doc = documentation(property, checker);
        const nested = nestedInterface(propertyType);
        const shown = checker.typeToString(propertyType.getNonNullableType());
        if (nested === undefined) {
            return [{ name, type: shown, ...doc, description: doc.text }];
        }
        const first = expanded.get(nested);
        if (first !== undefined) {
            return [{ name, type: "object", ...doc, description: `${doc.text} Its fields as \`${first}\`'s.`.trim() }];
        }
        expanded.set(nested, name);
        return [
            { name, type: "object", ...doc, description: doc.text },
            ...argumentRows(nested, checker, `${name}.`, expanded),
        ];
    });
}

const cell = (text: string): string => text.replace(/\|/g, "\\|");

function table(rows: readonly Row[], withDefault: boolean): string {
    const header = withDefault
        ? "| Argument | Type | Default | What it is |\n| --- | --- | --- | --- |"
        : "| Output | Type | What it is |\n| --- | --- | --- |";
    const lines = rows.map((row) =>
        withDefault
            ? `| \`${row.name}\` | \`${cell(row.type)}\` | ${cell(row.default ?? "")} | ${cell(row.description)} |`
            : `| \`${row.name}\` | \`${cell(row.type)}\` | ${cell(row.description)} |`,
    );
    return [header, ...lines].join("\n");
}

/** The two tables, from the sources under `root`. */
export function componentTables(root = ROOT): { args: string; outputs: string } {
    const program = ts.createProgram([path.join(root, COMPONENT_FILE)], {
        strict: true,
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.CommonJS,
        skipLibCheck: true,
        noResolve: false,
    });
    const checker = program.getTypeChecker();
    const argsFile = program.getSourceFile(path.join(root, ARGS_FILE));
    const componentFile = program.getSourceFile(path.join(root, COMPONENT_FILE));
    const args = argsFile?.statements.find(
        (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "IstioMeshArgs",
    );
    const component = componentFile?.statements.find(
        (s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === "IstioMesh",
    );
    if (args === undefined || component === undefined) {
        throw new Error(`IstioMeshArgs or IstioMesh not found in ${ARGS_FILE} and ${COMPONENT_FILE}`);
    }
    const argRows = argumentRows(checker.getTypeAtLocation(args), checker, "");
    const outputRows = component.members.flatMap((member): Row[] => {
        if (!ts.isPropertyDeclaration(member) || member.type === undefined) {
            return [];
        }
        const symbol = checker.getSymbolAtLocation(member.name);
        if (symbol === undefined) {
            return [];
        }
        // The type inside the Output, as a consumer's `apply` sees it.
        const type = member.type.getText().replace(/^pulumi\.Output<(.*)>$/, "$1");
        return [{ name: member.name.getText(), type, description: documentation(symbol, checker).text }];
    });
    return { args: table(argRows, true), outputs: table(outputRows, false) };
}

function replaceBetween(text: string, start: string, end: string, content: string): string | undefined {
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) {
        return undefined;
    }
    return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** The page as it should read, or undefined when a marker is missing. */
export function componentPage(current: string, root = ROOT): string | undefined {
    const { args, outputs } = componentTables(root);
    const withArgs = replaceBetween(current, ARGS_START, ARGS_END, args);
    return withArgs === undefined ? undefined : replaceBetween(withArgs, OUTPUTS_START, OUTPUTS_END, outputs);
}

export async function componentDocsCommand(args: readonly string[], io: Console, root = ROOT): Promise<number> {
    if (args.length > 1 || (args.length === 1 && args[0] !== "--check")) {
        io.err("usage: npm run component-docs [-- --check]");
        return 2;
    }
    const file = path.join(root, COMPONENT_PAGE);
    const current = fs.readFileSync(file, "utf8");
    const expected = componentPage(current, root);
    if (expected === undefined) {
        io.err(`${COMPONENT_PAGE} lacks the markers ${ARGS_START} … ${ARGS_END} and ${OUTPUTS_START} … ${OUTPUTS_END}`);
        return 1;
    }
    if (expected === current) {
        io.out(`${COMPONENT_PAGE} is up to date`);
        return 0;
    }
    if (args.length === 1) {
        io.err(`${COMPONENT_PAGE} is stale: run \`npm run component-docs\``);
        return 1;
    }
    fs.writeFileSync(file, expected);
    io.out(`wrote ${COMPONENT_PAGE}`);
    return 0;
}

if (require.main === module) {
    runAsProgram((args, io) => componentDocsCommand(args, io));
}

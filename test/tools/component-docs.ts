import * as path from "path";
import * as ts from "typescript";
import { Console, generatedFileCommand, runAsProgram } from "./command";

/**
 * `npm run component-docs [-- --check]`: docs/component.md's tables of IstioMesh's
 * arguments and outputs, written from the TSDoc of the types (the same text the schema's
 * descriptions come from, with each `@default`), so the page never drifts from the code.
 */

const ROOT = path.resolve(__dirname, "..", "..");
export const COMPONENT_PAGE = "docs/component.md";
const ARGS_FILE = "components/args/istio-mesh-args.ts";
const COMPONENT_FILE = "components/istio-mesh.ts";
const MULTI_ARGS_FILE = "components/args/multi-cluster-mesh-args.ts";
const MULTI_FILE = "components/multi-cluster.ts";
/** The page's generated sections, by the table each holds, and the markers around each. */
const SECTIONS = {
    args: "args",
    outputs: "outputs",
    multiArgs: "multi-cluster-args",
    multiOutputs: "multi-cluster-outputs",
} as const;
const markers = (section: string): [start: string, end: string] => [
    `<!-- ${section}:start (npm run component-docs) -->`,
    `<!-- ${section}:end -->`,
];

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

/** The interface a list's items are, if the list is of one of ours (a mesh's clusters). */
function listedInterface(type: ts.Type, checker: ts.TypeChecker): ts.Type | undefined {
    const own = type.getNonNullableType();
    return checker.isArrayType(own) ? nestedInterface(checker.getTypeArguments(own as ts.TypeReference)[0]) : undefined;
}

/** The interface a property's type names, if it is one of ours (nested arguments). */
function nestedInterface(type: ts.Type): ts.Type | undefined {
    const own = type.getNonNullableType();
    const declaration = own.getSymbol()?.declarations?.[0];
    const ours = declaration?.getSourceFile().fileName.includes("/components/args/") === true;
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
        const shown = checker.typeToString(propertyType.getNonNullableType());
        const listed = listedInterface(propertyType, checker);
        if (listed !== undefined) {
            return [
                { name, type: "list", ...doc, description: doc.text },
                ...argumentRows(listed, checker, `${name}[].`, expanded),
            ];
        }
        const nested = nestedInterface(propertyType);
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

/** A component's argument and output tables, from its args interface and its class. */
function tablesOf(
    program: ts.Program,
    root: string,
    [argsFile, argsName]: readonly [string, string],
    [classFile, className]: readonly [string, string],
    shownWhole: readonly string[] = [],
): { args: string; outputs: string } {
    const checker = program.getTypeChecker();
    const args = program
        .getSourceFile(path.join(root, argsFile))
        ?.statements.find(
            (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === argsName,
        );
    const component = program
        .getSourceFile(path.join(root, classFile))
        ?.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
    if (args === undefined || component === undefined) {
        throw new Error(`${argsName} or ${className} not found in ${argsFile} and ${classFile}`);
    }
    // Interfaces tabled elsewhere (IstioMeshArgs in the mesh of several) are named, not repeated.
    const expanded = new Map<ts.Type, string>();
    for (const name of shownWhole) {
        const declaration = program
            .getSourceFiles()
            .flatMap((file) => file.statements)
            .find((st): st is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(st) && st.name.text === name);
        if (declaration !== undefined) {
            expanded.set(checker.getTypeAtLocation(declaration), name);
        }
    }
    const argRows = argumentRows(checker.getTypeAtLocation(args), checker, "", expanded);
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

/** The tables of both components, from the sources under `root`. */
export function componentTables(root = ROOT): {
    args: string;
    outputs: string;
    multiArgs: string;
    multiOutputs: string;
} {
    const program = ts.createProgram([path.join(root, COMPONENT_FILE), path.join(root, MULTI_FILE)], {
        strict: true,
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.CommonJS,
        skipLibCheck: true,
        noResolve: false,
    });
    const mesh = tablesOf(program, root, [ARGS_FILE, "IstioMeshArgs"], [COMPONENT_FILE, "IstioMesh"]);
    const multi = tablesOf(
        program,
        root,
        [MULTI_ARGS_FILE, "IstioMultiClusterMeshArgs"],
        [MULTI_FILE, "IstioMultiClusterMesh"],
        ["IstioMeshArgs"],
    );
    return { ...mesh, multiArgs: multi.args, multiOutputs: multi.outputs };
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
    const tables = componentTables(root);
    const replacements = (Object.keys(SECTIONS) as (keyof typeof SECTIONS)[]).map((table): [string, string, string] => [
        ...markers(SECTIONS[table]),
        tables[table],
    ]);
    return replacements.reduce<string | undefined>(
        (page, [start, end, content]) => (page === undefined ? undefined : replaceBetween(page, start, end, content)),
        current,
    );
}

export function componentDocsCommand(args: readonly string[], io: Console, root = ROOT): Promise<number> {
    return generatedFileCommand(args, io, {
        script: "component-docs",
        root,
        file: COMPONENT_PAGE,
        expected: async (current) => {
            const all = Object.values(SECTIONS).map((section) => markers(section).join(" … "));
            return componentPage(current ?? "", root) ?? { problem: `lacks some of the markers ${all.join(", ")}` };
        },
    });
}

if (require.main === module) {
    runAsProgram((args, io) => componentDocsCommand(args, io));
}

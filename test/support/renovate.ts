import Ajv from "ajv";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ensureArtifact, NpmArtifact } from "./npm-artifact";
import { ROOT } from "./program";

/**
 * Checks of .github/renovate.json without Renovate: its own JSON schema (shipped in the
 * renovate npm package, fetched like Helm), the keys we use against the schema's properties
 * (the schema itself admits any key), and what its regex managers extract from our files.
 */

const RENOVATE_SCHEMA: NpmArtifact = {
    description: "Renovate 44.121.2 config schema",
    package: "renovate",
    version: "44.121.2",
    file: "package/renovate-schema.json",
    sha256: "989a29d9d8f1c421436b68de9472898283b55db6c5cf98fb243489e40e338a02",
    cacheName: "renovate-schema-44.121.2.json",
};

type Tree = Record<string, unknown>;

export interface RenovateConfig {
    customManagers: {
        managerFilePatterns: string[];
        matchStrings: string[];
        depNameTemplate?: string;
        packageNameTemplate?: string;
        datasourceTemplate?: string;
        registryUrlTemplate?: string;
    }[];
    packageRules: Tree[];
    [key: string]: unknown;
}

export function readRenovateConfig(): RenovateConfig {
    return JSON.parse(fs.readFileSync(path.join(ROOT, ".github", "renovate.json"), "utf8")) as RenovateConfig;
}

function definition(schema: Tree, name: string): Tree {
    return (schema.definitions as Record<string, Tree>)[name];
}

/** Properties an object of a schema part may have (through `$ref`, `allOf` and `items`). */
function propertyNames(schema: Tree, part: Tree): string[] {
    if (typeof part.$ref === "string") {
        return propertyNames(schema, definition(schema, part.$ref.replace("#/definitions/", "")));
    }
    if (part.items !== undefined) {
        return propertyNames(schema, part.items as Tree);
    }
    return [
        ...Object.keys((part.properties as Tree | undefined) ?? {}),
        ...((part.allOf as Tree[] | undefined) ?? []).flatMap((p) => propertyNames(schema, p)),
    ];
}

/** Problems of a Renovate config against the pinned schema: errors, then keys it does not define. */
export function renovateConfigProblems(config: Tree): string[] {
    const schema = JSON.parse(fs.readFileSync(ensureArtifact(RENOVATE_SCHEMA), "utf8")) as Tree;
    const isRegex = (text: string): boolean => {
        try {
            new RegExp(text);
            return true;
        } catch {
            return false;
        }
    };
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, formats: { regex: isRegex } });
    const validate = ajv.compile({ ...schema, $schema: undefined });
    const errors = validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
    const topLevel = Object.keys(schema.properties as Tree);
    const unknown = Object.keys(config)
        .filter((key) => key !== "$schema" && !topLevel.includes(key))
        .map((key) => `/${key} is not a Renovate option`);
    for (const list of ["customManagers", "packageRules"]) {
        // A package rule takes its matchers and, beside them, any option it applies.
        const own = propertyNames(schema, (schema.properties as Record<string, Tree>)[list]);
        const allowed = list === "packageRules" ? [...own, ...topLevel] : own;
        ((config[list] as Tree[] | undefined) ?? []).forEach((item, i) =>
            unknown.push(
                ...Object.keys(item)
                    .filter((key) => !allowed.includes(key))
                    .map((key) => `/${list}/${i}/${key} is not a Renovate option there`),
            ),
        );
    }
    return [...errors, ...unknown];
}

/** A dependency a regex manager extracts, as Renovate would fill in its templates. */
export interface ExtractedDependency {
    file: string;
    depName: string;
    packageName: string;
    currentValue: string;
    datasource: string;
    registryUrl: string;
}

/** What the config's regex managers extract from the tracked files, as Renovate matches them. */
export function extractDependencies(config: RenovateConfig): ExtractedDependency[] {
    const files = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
    return config.customManagers.flatMap((manager) => {
        const patterns = manager.managerFilePatterns.map((pattern) => new RegExp(pattern.slice(1, -1)));
        return files
            .filter((file) => patterns.some((pattern) => pattern.test(file)))
            .flatMap((file) => {
                const text = fs.readFileSync(path.join(ROOT, file), "utf8");
                return manager.matchStrings.flatMap((matchString) =>
                    [...text.matchAll(new RegExp(matchString, "g"))].map((match) => {
                        const group = match.groups ?? {};
                        const depName = manager.depNameTemplate ?? group.depName;
                        return {
                            file,
                            depName,
                            packageName: manager.packageNameTemplate ?? group.packageName ?? depName,
                            currentValue: group.currentValue,
                            datasource: manager.datasourceTemplate ?? group.datasource,
                            registryUrl: manager.registryUrlTemplate ?? group.registryUrl,
                        };
                    }),
                );
            });
    });
}

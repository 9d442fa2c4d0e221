import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { AnalysisMessage, AnalysisResult } from "./analyzer";

/**
 * The committed list of analyzer messages a stack or step may carry (allowed-messages.yaml
 * beside this file): each entry names a code and the exact resource, optionally the cases it
 * applies to, and gives its reason. Every other message, info included, fails its step.
 */

export interface AllowedMessage {
    code: string;
    /** `Kind namespace/name`, exactly as the analyzers name it. */
    resource: string;
    /** Case names it applies to, by prefix (`stack staging`, `step minor-`); every case when absent. */
    cases?: string[];
    /** Why the message is right for this program, and why its advice would be wrong here. */
    reason: string;
}

export const ALLOWED_MESSAGES_FILE = path.join(__dirname, "allowed-messages.yaml");

/** The list, checked for its shape: a reason for each entry, no entry twice. */
export function loadAllowedMessages(file = ALLOWED_MESSAGES_FILE): AllowedMessage[] {
    const entries = (yaml.load(fs.readFileSync(file, "utf8")) ?? []) as AllowedMessage[];
    const seen = new Set<string>();
    for (const [i, entry] of entries.entries()) {
        const where = `${path.basename(file)} entry ${i + 1}`;
        if (!/^IST\d{4}$/.test(String(entry.code))) throw new Error(`${where}: code ${entry.code} is no IST code`);
        if (typeof entry.resource !== "string" || !/^\w+ \S+$/.test(entry.resource)) {
            throw new Error(`${where}: resource must be "Kind namespace/name", got ${JSON.stringify(entry.resource)}`);
        }
        if (typeof entry.reason !== "string" || entry.reason.trim().length < 40) {
            throw new Error(`${where} (${entry.code} ${entry.resource}): give the reason, in a sentence or more`);
        }
        const key = `${entry.code} ${entry.resource} ${JSON.stringify(entry.cases ?? [])}`;
        if (seen.has(key)) throw new Error(`${where}: ${key} is listed twice`);
        seen.add(key);
    }
    return entries;
}

function allows(entry: AllowedMessage, caseName: string, message: AnalysisMessage): boolean {
    return (
        entry.code === message.code &&
        entry.resource === message.resource &&
        (entry.cases === undefined || entry.cases.some((prefix) => caseName.startsWith(prefix)))
    );
}

/** `Level CODE (resource): message` for each message of a result that no entry allows. */
export function unexpectedMessages(result: AnalysisResult, allowed: readonly AllowedMessage[]): string[] {
    return result.messages
        .filter((m) => !allowed.some((entry) => allows(entry, result.name, m)))
        .map((m) => `${m.level} ${m.code} (${m.resource}): ${m.message}`);
}

/**
 * Entries that allow no message of any result: stale, or scoped wrong. An entry with cases
 * must allow a message in each of them, so a case it no longer needs is reported alone.
 */
export function unusedEntries(results: readonly AnalysisResult[], allowed: readonly AllowedMessage[]): string[] {
    const used = (entry: AllowedMessage): boolean =>
        results.some((r) => r.messages.some((m) => allows(entry, r.name, m)));
    return allowed.flatMap((entry) =>
        entry.cases === undefined
            ? used(entry)
                ? []
                : [`${entry.code} ${entry.resource}`]
            : entry.cases
                  .filter((prefix) => !used({ ...entry, cases: [prefix] }))
                  .map((prefix) => `${entry.code} ${entry.resource} in ${prefix}`),
    );
}

import { ARG_PATHS, MeshKey, valueAt } from "./arg-paths";
import { show } from "./text";

/**
 * Collects what is wrong with a mesh's settings, and what deploys but likely not as meant,
 * in one pass: each check records its problem and the reading goes on with the default, so
 * that one error lists every mistake. A problem names its setting as the caller speaks of it
 * (`nameOf`): an argument path, or a stack config key.
 */
export class SettingsChecker {
    private readonly problemList: string[] = [];
    private readonly warningList: string[] = [];
    private readonly failedKeys = new Set<string>();

    /**
     * @param args the arguments read
     * @param nameOf how a message names a setting
     * @param refused settings the caller already refused (a stack value of the wrong type): no
     *   check builds on them, since their default would make a message about a value nobody wrote
     */
    constructor(
        private readonly args: unknown,
        private readonly nameOf: (key: MeshKey) => string,
        refused: Iterable<MeshKey> = [],
    ) {
        for (const key of refused) {
            this.failedKeys.add(key);
        }
    }

    /** How messages name `key`. */
    key(key: MeshKey): string {
        return this.nameOf(key);
    }

    /** The value given for `key`, or undefined when it is left to its default. */
    given(key: MeshKey): unknown {
        return valueAt(this.args, ARG_PATHS[key]);
    }

    /**
     * Whether `key` is given a value (at `entry` of its map, if given): one left out takes its
     * default, and is never idle.
     */
    set(key: MeshKey, entry?: string): boolean {
        const value = this.given(key);
        return entry === undefined
            ? value !== undefined
            : typeof value === "object" && value !== null && (value as Record<string, unknown>)[entry] !== undefined;
    }

    /** How messages name `key`, or the path `at` under it (`chartValues.grafana.grafana.ini`). */
    private named(key: MeshKey, at?: string): string {
        return at === undefined ? this.key(key) : `${this.key(key)}.${at}`;
    }

    /** What is wrong with `key`, or with the path `at` under it. */
    problem(key: MeshKey, message: string, at?: string): void {
        this.failedKeys.add(key);
        this.problemList.push(`${this.named(key, at)}: ${message}`);
    }

    /**
     * A problem across settings, unless one it rests on was refused; one about an entry of a
     * key's map (`at`) rests on the others only, since another entry's problem says nothing of it.
     */
    crossKeyProblem(key: MeshKey, message: string, restsOn: readonly MeshKey[], at?: string): void {
        if (!(at === undefined ? this.failed(key, ...restsOn) : this.failed(...restsOn))) {
            this.problemList.push(`${this.named(key, at)}: ${message}`);
        }
    }

    /** Something that deploys as asked, but likely not as meant: shown, not refused. */
    warning(key: MeshKey, message: string): void {
        this.warningList.push(`${this.key(key)}: ${message}`);
    }

    /** Whether any of these settings was refused. */
    failed(...keys: MeshKey[]): boolean {
        return keys.some((key) => this.failedKeys.has(key));
    }

    get problems(): readonly string[] {
        return this.problemList;
    }

    get warnings(): readonly string[] {
        return this.warningList;
    }

    /**
     * The value of `key` if it is of `type` and `check` (if any) finds nothing wrong, else
     * `fallback`, with the problem recorded. `type` is what JavaScript sees: a consumer
     * outside TypeScript, or the stack's config, may pass anything.
     */
    read<T>(
        key: MeshKey,
        fallback: T,
        type: "string" | "boolean" | "number" | "object",
        check?: (value: T) => string | undefined,
    ): T {
        const value = this.given(key);
        if (value === undefined) {
            return fallback;
        }
        if (typeof value !== type || (type === "object" && (value === null || Array.isArray(value)))) {
            this.problem(key, `${show(value)} is not a${type === "object" ? "n object" : ` ${type}`}`);
            return fallback;
        }
        const complaint = check?.(value as T);
        if (complaint !== undefined) {
            this.problem(key, complaint);
            return fallback;
        }
        return value as T;
    }

    /** One of `allowed`, or `fallback` with the problem recorded. */
    oneOf<T extends string>(key: MeshKey, fallback: T, allowed: readonly T[]): T {
        return this.read(key, fallback, "string", (value) =>
            (allowed as readonly string[]).includes(value)
                ? undefined
                : `${show(value)} is not one of ${allowed.join(", ")} (case-sensitive)`,
        );
    }

    /** A number in a range, whole where `integer`, or `fallback` with the problem recorded. */
    number(
        key: MeshKey,
        fallback: number,
        range: { readonly min: number; readonly max: number; readonly unit: string; readonly integer?: boolean },
    ): number {
        const { min, max, unit, integer } = range;
        return this.read(key, fallback, "number", (value) => {
            if (!Number.isFinite(value) || (integer === true && !Number.isInteger(value))) {
                return `${show(value)} is not ${integer === true ? "a whole number" : "a number"}, from ${min} to ${max}${unit}`;
            }
            return value < min || value > max
                ? `${value} is out of range; use a number from ${min} to ${max}${unit}`
                : undefined;
        });
    }

    /**
     * A list of distinct strings, each checked by `check`, or `fallback` with every problem
     * recorded. `example` shows the list's form in the message when it is no list at all.
     */
    list(
        key: MeshKey,
        fallback: readonly string[],
        check?: (item: string) => string | undefined,
        example = fallback.join(", "),
    ): readonly string[] {
        const value = this.given(key);
        if (value === undefined) {
            return fallback;
        }
        if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
            this.problem(key, `${show(value)} is not a list of strings; write it as a YAML list, e.g. [${example}]`);
            return fallback;
        }
        const items = value as string[];
        const complaints = items.flatMap((item, index) => {
            const complaint = check?.(item);
            if (complaint !== undefined) {
                return [`item ${index} ${show(item)} ${complaint}`];
            }
            return items.indexOf(item) !== index
                ? [`item ${index} ${show(item)} is a duplicate; list each value once`]
                : [];
        });
        complaints.forEach((complaint) => this.problem(key, complaint));
        return complaints.length === 0 ? items : fallback;
    }
}

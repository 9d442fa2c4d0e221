import * as assert from "assert";

/**
 * Checks on rendered objects that today's code fails, for defects that have an issue of
 * their own. Such a check still runs in full: it is pending only while it finds exactly the
 * named problems, and fails on any other problem, and once the defect is fixed, until its
 * entry is removed.
 */
export interface KnownDefect {
    /** The defect, as its issue names it. */
    defect: string;
    /** Exactly what the check reports while the defect stands. */
    problems: readonly string[];
}

/** Passes on no problems and no known defect; pending on exactly the known defect's problems; fails otherwise. */
export function expectNoProblems(context: Mocha.Context, problems: readonly string[], known?: KnownDefect): void {
    if (known !== undefined && problems.length === known.problems.length && problems.every((problem, i) => problem === known.problems[i])) {
        context.skip();
    }
    assert.ok(known === undefined || problems.length > 0, `known defect "${known?.defect}" is fixed: remove its entry`);
    assert.deepStrictEqual(problems, [], known === undefined ? undefined : `known defect "${known.defect}" no longer matches: update or remove its entry`);
}

/** The title of a check, with the known defect it is pending on. */
export function titled(title: string, known?: KnownDefect): string {
    return known === undefined ? title : `${title} (pending: ${known.defect})`;
}

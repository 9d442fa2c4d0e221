import * as fs from "fs";
import * as path from "path";

/**
 * The `.Values` paths a chart's templates read, as test/reference/template-value-keys.json
 * lists them: every `.Values.a.b` (or `$.Values.a.b`, or `($.Values).a`, as Istio's profile
 * template reads `profile` and `platform`) and every `index .Values "key"`.
 * A value we set must be one of these or in the chart's values file.
 */
export function templateValueKeys(chartDir: string): string[] {
    const keys = new Set<string>();
    const visit = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                visit(full);
                continue;
            }
            const text = fs.readFileSync(full, "utf8");
            for (const match of text.matchAll(/\.Values\)?((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
                keys.add(match[1].slice(1));
            }
            for (const match of text.matchAll(/index \$?\.Values "([^"]+)"/g)) {
                keys.add(match[1]);
            }
        }
    };
    visit(path.join(chartDir, "templates"));
    return [...keys].sort();
}

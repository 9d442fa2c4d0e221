import * as assert from "assert";
import { parseMeshSettings } from "../../components/config/stack-config";
import { MeshConfigError } from "../../components/config/config-reader";

/** The problems `parseMeshSettings` reports for `raw`, or [] when it accepts it. */
export function problemsOf(raw: Readonly<Record<string, string>>): readonly string[] {
    try {
        parseMeshSettings(raw);
        return [];
    } catch (error) {
        assert.ok(error instanceof MeshConfigError, `expected MeshConfigError, got ${String(error)}`);
        return error.problems;
    }
}

/** The warnings `parseMeshSettings` gives `raw`, which it accepts: what the preview shows. */
export function warningsOf(raw: Readonly<Record<string, string>>): readonly string[] {
    return parseMeshSettings(raw).warnings;
}

import * as assert from "assert";
import { parseQuantity } from "../components/args/quantity";

describe("quantity", () => {
    const cases: [string, number | undefined][] = [
        ["4Gi", 4 * 2 ** 30],
        ["4096Mi", 4 * 2 ** 30],
        ["4G", 4e9],
        ["3.5Gi", 3.5 * 2 ** 30],
        ["1Ti", 2 ** 40],
        ["250m", 0.25],
        ["2", 2],
        ["1e9", 1e9],
        ["4gb", undefined],
        ["Gi", undefined],
        ["-1Gi", undefined],
        ["", undefined],
    ];
    for (const [text, expected] of cases) {
        it(`parses ${JSON.stringify(text)} as ${expected}`, () => {
            assert.strictEqual(parseQuantity(text), expected);
        });
    }
});

import * as assert from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAllowedMessages, unexpectedMessages, unusedEntries } from "./allowed-messages";
import type { AnalysisResult } from "./analyzer";

/** How the allowed list of the analyzers' test reads, scopes and refuses entries. */

const REASON = "The Secret comes from outside the program, which the cluster owner provides.";

function withList(text: string, check: (file: string) => void): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "allowed-messages-"));
    try {
        const file = path.join(dir, "allowed-messages.yaml");
        fs.writeFileSync(file, text);
        check(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const result = (name: string): AnalysisResult => ({
    name,
    skipped: [],
    messages: [
        { code: "IST0101", level: "Error", resource: "Gateway istio-ingress/dashboards", message: "not found" },
        { code: "IST0133", level: "Warning", resource: "AuthorizationPolicy istio-system/x", message: "deny all" },
    ],
});

describe("the analyzers' allowed list", () => {
    it("the committed list loads: a code, an exact resource and a reason for each entry", () => {
        assert.ok(loadAllowedMessages().length > 0);
    });

    it("allows a message only by code, resource and case, and names each other one", () => {
        const allowed = [
            { code: "IST0101", resource: "Gateway istio-ingress/dashboards", cases: ["stack staging"], reason: REASON },
        ];
        assert.deepStrictEqual(unexpectedMessages(result("stack staging (mesh config of istio-1-31-4)"), allowed), [
            "Warning IST0133 (AuthorizationPolicy istio-system/x): deny all",
        ]);
        assert.deepStrictEqual(unexpectedMessages(result("stack dev (mesh config of istio-1-31-4)"), allowed), [
            "Error IST0101 (Gateway istio-ingress/dashboards): not found",
            "Warning IST0133 (AuthorizationPolicy istio-system/x): deny all",
        ]);
    });

    it("reports an entry that allows nothing", () => {
        const allowed = [
            { code: "IST0101", resource: "Gateway istio-ingress/dashboards", cases: ["stack prod"], reason: REASON },
        ];
        assert.deepStrictEqual(unusedEntries([result("stack dev")], allowed), [
            "IST0101 Gateway istio-ingress/dashboards in stack prod",
        ]);
        const unscoped = [{ code: "IST0102", resource: "Namespace istio-egress", reason: REASON }];
        assert.deepStrictEqual(unusedEntries([result("stack dev")], unscoped), ["IST0102 Namespace istio-egress"]);
    });

    it("reports each case of an entry that allows nothing there, beside cases that do", () => {
        const allowed = [
            {
                code: "IST0101",
                resource: "Gateway istio-ingress/dashboards",
                cases: ["stack staging", "stack prod", "stack dev"],
                reason: REASON,
            },
        ];
        assert.deepStrictEqual(unusedEntries([result("stack staging (mesh config of istio-1-31-4)")], allowed), [
            "IST0101 Gateway istio-ingress/dashboards in stack prod",
            "IST0101 Gateway istio-ingress/dashboards in stack dev",
        ]);
    });

    it("refuses an entry without a reason, a resource that is not `Kind namespace/name`, and a duplicate", () => {
        const entry = `- code: IST0101\n  resource: Gateway istio-ingress/dashboards\n  reason: ${REASON}\n`;
        withList("- code: IST0101\n  resource: Gateway istio-ingress/dashboards\n  reason: why not\n", (file) =>
            assert.throws(
                () => loadAllowedMessages(file),
                /entry 1 \(IST0101 Gateway istio-ingress\/dashboards\): give the reason/,
            ),
        );
        withList(`- code: IST0101\n  resource: dashboards\n  reason: ${REASON}\n`, (file) =>
            assert.throws(() => loadAllowedMessages(file), /entry 1: resource must be "Kind namespace\/name"/),
        );
        withList(entry + entry, (file) =>
            assert.throws(() => loadAllowedMessages(file), /entry 2: .* is listed twice/),
        );
    });
});

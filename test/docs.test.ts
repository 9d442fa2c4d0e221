import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./support/program";

/**
 * The README and docs/ link to files and to each other's headings: every link must reach a
 * file that exists and, with an anchor, a heading that file has, as GitHub renders them.
 */

/** Our Markdown: the README, docs/, and the READMEs of the test data we vendor. */
const PAGES = [
    "README.md",
    ...fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((file) => file.endsWith(".md"))
        .map((file) => `docs/${file}`),
    "test/charts/README.md",
    "test/reference/README.md",
].sort();

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-");
}

/** The anchors of a page's headings; a repeated heading gets `-1`, `-2`, as GitHub numbers them. */
function anchorsOf(page: string): Set<string> {
    const seen = new Map<string, number>();
    const anchors = new Set<string>();
    const text = fs.readFileSync(path.join(ROOT, page), "utf8").replace(/^```[\s\S]*?^```/gm, "");
    for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
        const anchor = headingAnchor(heading);
        const count = seen.get(anchor) ?? 0;
        anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
        seen.set(anchor, count + 1);
    }
    return anchors;
}

/** Every `[text](target)` of a page outside code blocks, external links left out. */
function linksOf(page: string): string[] {
    const text = fs.readFileSync(path.join(ROOT, page), "utf8").replace(/^```[\s\S]*?^```/gm, "");
    return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/.test(target));
}

/** What is wrong with one link of `page`, or undefined. */
function brokenLink(page: string, target: string): string | undefined {
    const [file, anchor] = target.split("#", 2);
    const resolved = file === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
    if (resolved.startsWith("..") || !fs.existsSync(path.join(ROOT, resolved))) {
        return `${page}: ${target}: no file ${resolved}`;
    }
    if (anchor !== undefined && !(resolved.endsWith(".md") && anchorsOf(resolved).has(anchor))) {
        return `${page}: ${target}: ${resolved} has no heading #${anchor}`;
    }
    return undefined;
}

describe("the README and docs/", () => {
    it("anchors headings as GitHub does", () => {
        assert.strictEqual(
            headingAnchor("What `pulumi destroy` keeps, and deploying again"),
            "what-pulumi-destroy-keeps-and-deploying-again",
        );
        assert.strictEqual(headingAnchor("Secrets"), "secrets");
    });

    it("link only to files that exist, and to headings those files have", () => {
        const links = PAGES.flatMap((page) => linksOf(page).map((target) => [page, target] as const));
        assert.ok(links.length >= 40, `only ${links.length} links found`);
        assert.deepStrictEqual(
            links.map(([page, target]) => brokenLink(page, target)).filter((problem) => problem !== undefined),
            [],
        );
    });

    it("the check finds a missing file and a missing heading", () => {
        assert.deepStrictEqual(
            [brokenLink("README.md", "docs/nowhere.md"), brokenLink("docs/ci.md", "upgrades.md#no-such-step")],
            [
                "README.md: docs/nowhere.md: no file docs/nowhere.md",
                "docs/ci.md: upgrades.md#no-such-step: docs/upgrades.md has no heading #no-such-step",
            ],
        );
    });

    it("every page of docs/ is reached from the README, every other file there from a page", () => {
        const readmeLinks = linksOf("README.md").map((target) => target.split("#")[0]);
        const pageLinks = PAGES.flatMap((page) =>
            linksOf(page).map((target) => path.posix.join(path.posix.dirname(page), target.split("#")[0])),
        );
        const unreached = fs
            .readdirSync(path.join(ROOT, "docs"))
            .map((file) => `docs/${file}`)
            .filter((file) => (file.endsWith(".md") ? !readmeLinks.includes(file) : !pageLinks.includes(file)));
        assert.deepStrictEqual(unreached, []);
    });
});

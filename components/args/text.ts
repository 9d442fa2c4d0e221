/** How values and names appear in the messages of every check. */

/** How a value shows up in a message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
    return JSON.stringify(value);
}

/** The known name within edit distance 2 of `name`, if there is one. */
export function closest(name: string, known: readonly string[]): string | undefined {
    let best: { key: string; distance: number } | undefined;
    for (const key of known) {
        const distance = editDistance(name.toLowerCase(), key.toLowerCase());
        if (distance <= 2 && (best === undefined || distance < best.distance)) {
            best = { key, distance };
        }
    }
    return best?.key;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length];
}

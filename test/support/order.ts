/**
 * String order by UTF-16 code unit, the same on every machine: `localeCompare` follows the
 * locale (in Estonian, `z` sorts before `t`), which would make snapshots differ by host.
 */
export function byCodePoint(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

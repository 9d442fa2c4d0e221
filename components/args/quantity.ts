/**
 * Kubernetes resource quantities (`4Gi`, `4096Mi`, `4G`, `3.5Gi`, `250m`), parsed into
 * plain numbers so that sizes can be compared and added up before anything is deployed.
 */

const QUANTITY = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

const SUFFIX_FACTOR: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

export const MI = 2 ** 20;
export const GI = 2 ** 30;

/** The value of a quantity in base units (bytes for memory, cores for CPU), or undefined. */
export function parseQuantity(text: string): number | undefined {
    const match = QUANTITY.exec(text.trim());
    if (!match) {
        return undefined;
    }
    const [, digits, suffix = ""] = match;
    const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX_FACTOR[suffix];
    return Number(digits) * factor;
}

/** Bytes as whole mebibytes, the unit every memory request here is written in. */
export function formatMi(bytes: number): string {
    return `${Math.round(bytes / MI)}Mi`;
}

/** Cores as whole millicores. */
export function formatMillicores(cores: number): string {
    return `${Math.round(cores * 1000)}m`;
}

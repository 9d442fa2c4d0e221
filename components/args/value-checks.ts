import { show } from "./text";
import { ADDONS } from "./addons";
import { GI, parseQuantity } from "./quantity";
import { checkIstioVersion } from "./revisions";

/**
 * Checks of one value of one key, each returning what is wrong with it in words a user can
 * act on, or undefined. Cross-key checks live with the keys they relate (exposure.ts,
 * revisions.ts, config.ts).
 */

/** The smallest cluster Istio with its gateways can start on, and a sanity ceiling. */
export const MEMORY_RANGE = { min: 1 * GI, max: 1024 * GI } as const;

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// istio-ambient: ambient's privileged namespace, whose ztunnel identity istiod trusts to ask
// for any workload's certificate; no application or gateway belongs there.
const SYSTEM_NAMESPACES = ["istio-system", "istio-ambient", "kube-system", "kube-public", "kube-node-lease"];
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PROMETHEUS_DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

export function checkMemory(value: string): string | undefined {
    const bytes = parseQuantity(value);
    if (bytes === undefined) {
        return `${show(value)} is not a Kubernetes quantity; use a number with a unit, e.g. 4Gi, 4096Mi or 4G`;
    }
    if (bytes < MEMORY_RANGE.min || bytes > MEMORY_RANGE.max) {
        return `${show(value)} is out of range; use a quantity from 1Gi to 1Ti`;
    }
    return undefined;
}

/** An optional version key: unset ("") or a supported release. */
export function checkOptionalVersion(value: string): string | undefined {
    return value === "" ? undefined : checkIstioVersion(value);
}

export function checkNamespace(value: string): string | undefined {
    if (value.length > 63 || !RFC1123_LABEL.test(value)) {
        return "is not a valid namespace name; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit (RFC 1123)";
    }
    if (SYSTEM_NAMESPACES.includes(value)) {
        return "is a system namespace; only application namespaces join the mesh";
    }
    return undefined;
}

/**
 * The namespace of a gateway: its own by default; `istio-system` only to keep a stack
 * deployed before gateways had their own (its LoadBalancer address stays with it).
 */
export function checkGatewayNamespace(value: string): string | undefined {
    if (value.length > 63 || !RFC1123_LABEL.test(value)) {
        return `${show(value)} is not a valid namespace name; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit (RFC 1123)`;
    }
    return SYSTEM_NAMESPACES.includes(value) && value !== "istio-system"
        ? `${show(value)} is a system namespace; use a namespace of the gateway's own, e.g. istio-ingress`
        : undefined;
}

export function checkHost(value: string): string | undefined {
    return value === "" || DNS_NAME.test(value)
        ? undefined
        : `${show(value)} is not a DNS name; use lower-case labels separated by dots, e.g. mesh.example.com, or "" for any host`;
}

export function checkSecretName(value: string): string | undefined {
    return value === "" || (value.length <= 253 && DNS_NAME.test(value))
        ? undefined
        : `${show(value)} is not a Secret name; use lower-case letters, digits, '-' and '.', e.g. mesh-tls`;
}

export function checkCidr(value: string): string | undefined {
    const match = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\/([0-9]{1,2})$/.exec(value);
    const valid = match !== null && match.slice(1, 5).every((octet) => Number(octet) <= 255) && Number(match[5]) <= 32;
    return valid ? undefined : "is not an IPv4 CIDR; use address/prefix, e.g. 192.168.0.0/16";
}

export function checkRetention(value: string): string | undefined {
    if (!PROMETHEUS_DURATION.test(value)) {
        return `${show(value)} is not a Prometheus duration; use e.g. 6h, 24h or 15d`;
    }
    // Prometheus reads a zero retention time (with no size limit) as its default, 15d.
    return /[1-9]/.test(value)
        ? undefined
        : `${show(value)} is zero, which Prometheus reads as 15d; use e.g. 6h or 15d`;
}

export function checkStorage(value: string): string | undefined {
    if (value === "") {
        return undefined;
    }
    const bytes = parseQuantity(value);
    return bytes !== undefined && bytes >= GI / 4
        ? undefined
        : `${show(value)} is not a volume size; use a quantity of at least 256Mi, e.g. 8Gi, or "" for no volume`;
}

export function checkAddon(value: string): string | undefined {
    return (ADDONS as readonly string[]).includes(value)
        ? undefined
        : `is not an add-on; use any of ${ADDONS.join(", ")}`;
}

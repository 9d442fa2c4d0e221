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

/** What `minikube start --memory 4g` and Docker write (`4g`, `4gb`, `4GB`): the binary unit they mean, as Kubernetes writes it. */
function meantQuantity(value: string): string | undefined {
    const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt])i?b?\s*$/i.exec(value);
    return match === null ? undefined : `${match[1]}${match[2].toUpperCase()}i`;
}

export function checkMemory(value: string): string | undefined {
    const bytes = parseQuantity(value);
    if (bytes === undefined) {
        const meant = meantQuantity(value);
        return meant !== undefined
            ? `${show(value)} is not a Kubernetes quantity (its units are case-sensitive); did you mean ${meant}?`
            : `${show(value)} is not a Kubernetes quantity; use a number with a unit, e.g. 4Gi, 4096Mi or 4G`;
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

/**
 * An HTTP base URL another system serves at (an existing Prometheus, a trace query API):
 * `http` or `https`, a host, no credentials (the URL lands in ConfigMaps anyone who reads
 * `istio-system` reads), no query or fragment. `what` names it in the message.
 */
export function checkHttpUrl(what: string, example: string): (value: string) => string | undefined {
    return (value) => {
        if (value === "") {
            return undefined;
        }
        let url: URL | undefined;
        try {
            url = new URL(value);
        } catch {
            url = undefined;
        }
        if (url === undefined || !["http:", "https:"].includes(url.protocol) || url.hostname === "") {
            return `${show(value)} is not an http or https URL; write ${what}'s base URL, e.g. ${example}`;
        }
        if (url.username !== "" || url.password !== "") {
            return `${show(value)} holds credentials, which would be readable in the ConfigMaps of istio-system; give the URL without them (docs/telemetry.md, an existing Prometheus)`;
        }
        if (url.search !== "" || url.hash !== "") {
            return `${show(value)} has a query or fragment; write only ${what}'s base URL, e.g. ${example}`;
        }
        return undefined;
    };
}

/** The namespace of a Service a URL or host names in the cluster (`name.namespace.svc…`), if it does. */
export function inClusterNamespace(host: string): string | undefined {
    return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\..+)?$/.exec(host)?.[2];
}

/** An OTLP receiver as `host:port`, the host a DNS name istiod can resolve as a Service or ServiceEntry. */
export function checkOtlpEndpoint(value: string): string | undefined {
    if (value === "") {
        return undefined;
    }
    const example = "otel-collector.observability.svc.cluster.local:4317";
    const match = /^(.+):([0-9]{1,5})$/.exec(value);
    if (match === null || !DNS_NAME.test(match[1]) || Number(match[2]) < 1 || Number(match[2]) > 65535) {
        return `${show(value)} is not host:port; write the collector's host and OTLP port, e.g. ${example}`;
    }
    const host = match[1];
    // istiod finds a Service by its full name only: a short one would drop every span.
    if (!host.includes(".") || host.endsWith(".svc")) {
        const [service, namespace] = host.split(".");
        const full = `${service}.${namespace ?? "<namespace>"}.svc.cluster.local`;
        return `${show(value)} is a short Service name, which istiod does not resolve (it finds a Service by its full name only); write ${full}:${match[2]} (with your cluster's domain if it is not cluster.local)`;
    }
    return undefined;
}

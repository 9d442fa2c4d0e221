import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { KubeClient } from "./client";
import { ISTIOD_PORTS, Istiod } from "./istiod";
import { serviceAccountToken } from "./service-accounts";

/**
 * A workload certificate from istiod's CA, asked for as a proxy asks for one: a CSR over
 * istiod's CA API (`istio.v1.auth.IstioCertificateService/CreateCertificate` on port 15012,
 * TLS trusting the mesh root istiod publishes), authenticated by the workload's
 * ServiceAccount token for the audience `istio-ca`, which istiod checks with a TokenReview.
 */

const CREATE_CERTIFICATE = "/istio.v1.auth.IstioCertificateService/CreateCertificate";

/** The mesh's root: the CA certificate istiod generated and keeps in Secret istio-ca-secret. */
export async function meshRoot(client: KubeClient, namespace: string): Promise<string> {
    const secret = await client.get({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "istio-ca-secret", namespace },
    });
    const pem = (secret?.data as Record<string, string> | undefined)?.["ca-cert.pem"];
    if (pem === undefined) throw new Error(`no Secret ${namespace}/istio-ca-secret with ca-cert.pem`);
    return Buffer.from(pem, "base64").toString("utf8");
}

/** The root istiod publishes for proxies to trust: ConfigMap istio-ca-root-cert in `namespace`. */
export async function publishedRoot(client: KubeClient, namespace: string): Promise<string | undefined> {
    const map = await client.get({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "istio-ca-root-cert", namespace },
    });
    return (map?.data as Record<string, string> | undefined)?.["root-cert.pem"];
}

/** A fresh key's CSR, by openssl: istiod signs for the caller's identity, not the CSR's names. */
function certificateRequest(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workload-csr-"));
    try {
        return execFileSync(
            "openssl",
            ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
                "-keyout",
                path.join(dir, "key.pem"),
                "-subj",
                "/O=istio-mesh apiserver suite",
            ]),
            { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function varint(value: number): Buffer {
    const bytes: number[] = [];
    let rest = value;
    while (rest > 0x7f) {
        bytes.push((rest & 0x7f) | 0x80);
        rest = Math.floor(rest / 128);
    }
    bytes.push(rest);
    return Buffer.from(bytes);
}

/** IstioCertificateRequest: `csr` (field 1) and `validity_duration` in seconds (field 3). */
function encodeRequest(csr: string, seconds: number): Buffer {
    const text = Buffer.from(csr);
    return Buffer.concat([Buffer.from([0x0a]), varint(text.length), text, Buffer.from([0x18]), varint(seconds)]);
}

/** IstioCertificateResponse: every `cert_chain` (field 1, repeated string). */
function decodeResponse(bytes: Buffer): string[] {
    const chain: string[] = [];
    let at = 0;
    const readVarint = (): number => {
        let value = 0;
        for (let shift = 1; ; shift *= 128) {
            const byte = bytes[at++];
            value += (byte & 0x7f) * shift;
            if (byte < 0x80) return value;
        }
    };
    while (at < bytes.length) {
        const key = readVarint();
        if ((key & 7) !== 2) throw new Error(`unexpected wire type in IstioCertificateResponse field ${key >> 3}`);
        const length = readVarint();
        if (key >> 3 === 1) chain.push(bytes.subarray(at, at + length).toString("utf8"));
        at += length;
    }
    return chain;
}

/** The chain istiod's CA returns for a workload of `serviceAccount` in `namespace`, leaf first. */
export async function workloadCertificate(
    client: KubeClient,
    istiod: Istiod,
    namespace: string,
    serviceAccount: string,
    trustedRoot: string,
): Promise<string[]> {
    const token = await serviceAccountToken(client, namespace, serviceAccount, ["istio-ca"]);
    const channel = new grpc.Client(
        `${istiod.address}:${ISTIOD_PORTS.secureGrpc}`,
        grpc.credentials.createSsl(Buffer.from(trustedRoot)),
        { "grpc.ssl_target_name_override": `istiod-${istiod.spec.revision}.${istiod.spec.namespace}.svc` },
    );
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${token}`);
    try {
        const pems = await new Promise<string[]>((resolve, reject) =>
            channel.makeUnaryRequest(
                CREATE_CERTIFICATE,
                (request: Buffer) => request,
                decodeResponse,
                encodeRequest(certificateRequest(), 3600),
                metadata,
                { deadline: Date.now() + 15_000 },
                (error, chain) => (error || chain === undefined ? reject(error) : resolve(chain)),
            ),
        );
        // Each element may hold several PEM blocks.
        return pems.flatMap((pem) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []);
    } finally {
        channel.close();
    }
}

/** What is wrong with `chain` as a workload certificate of `spiffeId` under `root`; empty when nothing. */
export function chainProblems(chain: readonly string[], root: string, spiffeId: string): string[] {
    if (chain.length === 0) return ["istiod returned no certificate"];
    const certificates = chain.map((pem) => new crypto.X509Certificate(pem));
    const anchor = new crypto.X509Certificate(root);
    const problems: string[] = [];
    const leaf = certificates[0];
    if (!(leaf.subjectAltName ?? "").split(", ").includes(`URI:${spiffeId}`)) {
        problems.push(`the leaf names ${leaf.subjectAltName}, not URI:${spiffeId}`);
    }
    // Each certificate is signed by the next; the last by the mesh root (or is the root).
    const issuers = [...certificates.slice(1), anchor];
    certificates.forEach((certificate, i) => {
        const issuer = issuers[i];
        const isRoot = certificate.fingerprint256 === anchor.fingerprint256;
        if (!isRoot && !(certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey))) {
            problems.push(`certificate ${i} (${certificate.subject}) is not signed by ${issuer.subject}`);
        }
    });
    return problems;
}

import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plain } from "./deployables";

/**
 * The `@pulumi/tls` provider's work for the mocks, done for real: keys made by Node, requests
 * and certificates by openssl, with the subject, CA flag, key usages and validity the program
 * asks for, so that istiod gets a root and intermediates it can sign with. Outputs are kept by
 * resource name, as the provider keeps them in the state: a second run of the program gets the
 * same root and intermediates.
 */

const USAGES: Record<string, string> = {
    cert_signing: "keyCertSign",
    crl_signing: "cRLSign",
    digital_signature: "digitalSignature",
    key_encipherment: "keyEncipherment",
};

interface Subject {
    commonName?: string;
    organization?: string;
}

function subjectLine(subject: Subject | undefined): string {
    return `/O=${subject?.organization ?? ""}/CN=${subject?.commonName ?? ""}`;
}

/** The extensions of a CA (or a leaf) certificate with `allowedUses`. */
function extensions(isCa: boolean, allowedUses: readonly string[]): string {
    const usages = allowedUses.map((use) => USAGES[use] ?? use);
    return [
        `basicConstraints=critical,CA:${isCa ? "TRUE" : "FALSE"}`,
        ...(usages.length > 0 ? [`keyUsage=critical,${usages.join(",")}`] : []),
        "subjectKeyIdentifier=hash",
    ].join("\n");
}

export class OpensslTls {
    private readonly outputs = new Map<string, Record<string, unknown>>();

    /** The certificate (PEM) a resource of this name made. */
    certificate(name: string): string {
        const pem = this.outputs.get(name)?.certPem;
        if (typeof pem !== "string") throw new Error(`no certificate ${name} was made`);
        return pem;
    }

    /** Outputs for a `tls:` resource, or undefined for any other type (the mocks' stand-ins stay). */
    provide(type: string, name: string, wireInputs: Record<string, unknown>): Record<string, unknown> | undefined {
        if (!type.startsWith("tls:")) return undefined;
        let outputs = this.outputs.get(name);
        if (outputs === undefined) {
            outputs = this.make(type, plain(wireInputs, name) as Record<string, unknown>);
            this.outputs.set(name, outputs);
        }
        return outputs;
    }

    private make(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
        if (type === "tls:index/privateKey:PrivateKey") {
            if (inputs.algorithm !== "ECDSA" || inputs.ecdsaCurve !== "P256") {
                throw new Error(`openssl-tls makes ECDSA P256 keys only, not ${inputs.algorithm} ${inputs.ecdsaCurve}`);
            }
            const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
            return {
                privateKeyPem: privateKey.export({ type: "sec1", format: "pem" }),
                publicKeyPem: publicKey.export({ type: "spki", format: "pem" }),
            };
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openssl-tls-"));
        const file = (base: string, content?: unknown): string => {
            const at = path.join(dir, base);
            if (content !== undefined) fs.writeFileSync(at, String(content), { mode: 0o600 });
            return at;
        };
        const openssl = (...args: string[]): string =>
            execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        const days = String(Math.ceil(Number(inputs.validityPeriodHours ?? 24) / 24));
        const ext = file(
            "ext.cnf",
            extensions(inputs.isCaCertificate === true, (inputs.allowedUses as string[]) ?? []),
        );
        try {
            switch (type) {
                case "tls:index/certRequest:CertRequest": {
                    const key = file("key.pem", inputs.privateKeyPem);
                    const subject = subjectLine(inputs.subject as Subject);
                    return { certRequestPem: openssl("req", "-new", "-key", key, "-subj", subject) };
                }
                case "tls:index/selfSignedCert:SelfSignedCert": {
                    const key = file("key.pem", inputs.privateKeyPem);
                    const subject = subjectLine(inputs.subject as Subject);
                    const csr = file("req.pem", openssl("req", "-new", "-key", key, "-subj", subject));
                    const cert = ["x509", "-req", "-in", csr, "-signkey", key, "-days", days, "-extfile", ext];
                    return { certPem: openssl(...cert) };
                }
                case "tls:index/locallySignedCert:LocallySignedCert": {
                    const csr = file("req.pem", inputs.certRequestPem);
                    const ca = file("ca.pem", inputs.caCertPem);
                    const caKey = file("ca-key.pem", inputs.caPrivateKeyPem);
                    const signed = ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial"];
                    return { certPem: openssl(...signed, "-days", days, "-extfile", ext) };
                }
                default:
                    throw new Error(`openssl-tls does not make ${type}`);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
}

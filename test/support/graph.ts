import { Registration } from "./monitor";
import { DEPLOYMENT_RECORD_TYPE } from "../../components/mesh/deployment-record";
import { byCodePoint } from "./order";

/** The name index.ts gives its `IstioMesh`: every resource of the program is named from it. */
export const MESH_NAME = "mesh";

/** Queries over the recorded registrations, as the engine's dependency graph. */
export class Graph {
    private readonly byUrn = new Map<string, Registration>();

    constructor(readonly registrations: readonly Registration[]) {
        for (const registration of registrations) {
            this.byUrn.set(registration.urn, registration);
        }
    }

    /**
     * The one registration of `type` named `name`, or named `name` within the program's mesh
     * (`mesh-<name>`: every child of `IstioMesh` is named from it); throws if there is not
     * exactly one.
     */
    get(type: string, name: string): Registration {
        const exact = this.registrations.filter((r) => r.type === type && r.name === name);
        const found =
            exact.length > 0
                ? exact
                : this.registrations.filter((r) => r.type === type && r.name === `${MESH_NAME}-${name}`);
        if (found.length !== 1) {
            throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
        }
        return found[0];
    }

    ofType(type: string): Registration[] {
        return this.registrations.filter((r) => r.type === type);
    }

    /** Count of registrations per type, sorted by type. */
    typeCounts(): Record<string, number> {
        const counts: Record<string, number> = {};
        for (const { type } of [...this.registrations].sort((a, b) => byCodePoint(a.type, b.type))) {
            counts[type] = (counts[type] ?? 0) + 1;
        }
        return counts;
    }

    /** Whether `from` waits for `to`, directly or through other resources. */
    waitsFor(from: Registration, to: Registration): boolean {
        const seen = new Set<string>();
        const pending = [...from.dependencies];
        while (pending.length > 0) {
            const urn = pending.pop() as string;
            if (urn === to.urn) {
                return true;
            }
            if (!seen.has(urn)) {
                seen.add(urn);
                pending.push(...(this.byUrn.get(urn)?.dependencies ?? []));
            }
        }
        return false;
    }

    /** Number of resources in the longest chain of resources that wait for each other. */
    depth(): number {
        return this.longestChain().length;
    }

    /**
     * A longest chain of resources that wait for each other, as `type::name` from the first
     * to be created, to say in a failure what made the graph deeper.
     */
    longestChain(): string[] {
        const memo = new Map<string, string[]>();
        const chain = (urn: string): string[] => {
            const known = memo.get(urn);
            if (known !== undefined) {
                return known;
            }
            const longest = [...(this.byUrn.get(urn)?.dependencies ?? [])]
                .sort()
                .map(chain)
                .reduce<string[]>((best, next) => (next.length > best.length ? next : best), []);
            const registration = this.byUrn.get(urn);
            const label = registration === undefined ? urn : `${registration.type}::${registration.name}`;
            const result = [...longest, label];
            memo.set(urn, result);
            return result;
        };
        return this.registrations
            .filter((r) => r.custom || r.remote)
            .map((r) => chain(r.urn))
            .reduce<string[]>((best, next) => (next.length > best.length ? next : best), []);
    }
}

/**
 * A registration as two ways of making the same mesh should agree on it: everything but what
 * the naming of settings changes (the vocabulary of the record's messages) and the text of the
 * record's serialized provider, which depends on how its module was compiled.
 */
export function comparable(r: Registration): unknown {
    const inputs =
        r.type === DEPLOYMENT_RECORD_TYPE ? { ...r.inputs, names: "", bootstrap: "", __provider: "" } : r.inputs;
    return { type: r.type, name: r.name, parent: r.parent, dependencies: r.dependencies, inputs };
}

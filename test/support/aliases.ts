import { Registration } from "./monitor";

/**
 * Which resource of an earlier deployment the engine takes each registration for, as Pulumi's
 * step generator decides it (pkg/resource/deploy/step_generator.go: generateAliases,
 * collapseAliasToUrn, inheritedChildAlias, getOldResource): a registration's own URN first,
 * then its aliases, each collapsed against its parent, then one inherited from the alias its
 * parent matched, with the parent's name replaced where the child's name starts with it.
 *
 * URNs are the engine's: the type of every ancestor, joined by `$`. The runtime mocks name a
 * resource by its immediate parent's type only, so they are rebuilt from the parent chain.
 */

/** Each registration's URN as the engine forms it, by its mock URN. */
export function engineUrns(registrations: readonly Registration[]): Map<string, string> {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const qualified = (registration: Registration): string => {
        const parent = byUrn.get(registration.parent);
        return parent === undefined ? registration.type : `${qualified(parent)}$${registration.type}`;
    };
    const [first] = registrations;
    const prefix = first === undefined ? "" : first.urn.slice(0, first.urn.indexOf("::", first.urn.indexOf("::") + 2));
    return new Map(registrations.map((r) => [r.urn, `${prefix}::${qualified(r)}::${r.name}`]));
}

const qualifiedTypeOf = (urn: string): string => urn.split("::")[2];
const nameOf = (urn: string): string => urn.split("::").slice(3).join("::");
const stackProject = (urn: string): string => urn.split("::").slice(0, 2).join("::");

function createUrn(like: string, name: string, type: string, parent: string): string {
    return `${stackProject(like)}::${parent === "" ? type : `${qualifiedTypeOf(parent)}$${type}`}::${name}`;
}

/** What each registration matched among `olds`: its own URN, an alias, or nothing (a create). */
export interface AliasMatch {
    readonly urn: string;
    readonly type: string;
    readonly matched?: string;
}

/**
 * Matches every registration that is not a read against the URNs of an earlier deployment,
 * parents before children, as the engine registers them.
 */
export function matchOlds(registrations: readonly Registration[], olds: ReadonlySet<string>): AliasMatch[] {
    const urns = engineUrns(registrations);
    const aliased = new Map<string, string>();
    const depth = (r: Registration): number =>
        r.parent === "" ? 0 : 1 + depth(registrations.find((p) => p.urn === r.parent) as Registration);
    const ordered = registrations.filter((r) => r.readId === undefined).sort((a, b) => depth(a) - depth(b));
    return ordered.map((r) => {
        const urn = urns.get(r.urn) as string;
        const parent = r.parent === "" ? "" : (urns.get(r.parent) as string);
        const collapse = (alias: Registration["aliases"][number]): string => {
            if (alias.urn !== undefined) {
                return alias.urn;
            }
            let aliasParent = alias.parentUrn === undefined ? parent : (urns.get(alias.parentUrn) ?? alias.parentUrn);
            if (alias.parentUrn !== undefined) {
                aliasParent = aliased.get(aliasParent) ?? aliasParent;
            }
            return createUrn(urn, alias.name ?? r.name, alias.type ?? r.type, alias.noParent ? "" : aliasParent);
        };
        const inherited = (childName: string, childType: string): string | undefined => {
            const parentAlias = aliased.get(parent);
            if (parentAlias === undefined) {
                return undefined;
            }
            const parentName = nameOf(parent);
            const name = childName.startsWith(parentName)
                ? nameOf(parentAlias) + childName.slice(parentName.length)
                : childName;
            return `${stackProject(urn)}::${qualifiedTypeOf(parentAlias)}$${childType}::${name}`;
        };
        const own = r.aliases.map(collapse);
        const candidates = [
            urn,
            ...own,
            inherited(r.name, r.type),
            ...own.map((alias) => inherited(nameOf(alias), alias.split("::")[2].split("$").pop() as string)),
        ].filter((candidate): candidate is string => candidate !== undefined);
        const matched = candidates.find((candidate) => olds.has(candidate));
        if (matched !== undefined && matched !== urn) {
            aliased.set(urn, matched);
        }
        return { urn, type: r.type, ...(matched !== undefined && { matched }) };
    });
}

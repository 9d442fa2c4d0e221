/**
 * What a program in another language may write for the component, by its package schema:
 * the check a Pulumi YAML program's `properties` and `${mesh.output}` references get from the
 * CLI, done on our example without the CLI. Every key must be a property of its type, every
 * value of its type, every enum value one of the enum's.
 */

interface PropertySpec {
    readonly type?: string;
    readonly $ref?: string;
    readonly items?: PropertySpec;
    readonly additionalProperties?: PropertySpec;
}

interface TypeSpec extends PropertySpec {
    readonly properties?: Readonly<Record<string, PropertySpec>>;
    readonly enum?: readonly { readonly value: unknown }[];
}

export interface PackageSchema {
    readonly resources: Readonly<
        Record<string, { readonly inputProperties?: Record<string, PropertySpec>; readonly properties?: object }>
    >;
    readonly types: Readonly<Record<string, TypeSpec>>;
}

/** A YAML expression: a value the program computes, of the type its reference has. */
const EXPRESSION = /^\$\{[^}]+\}$/;

/** Every way `value` does not fit `spec`, each with its path. */
function misfits(schema: PackageSchema, spec: PropertySpec, value: unknown, path: string): string[] {
    if (spec.$ref !== undefined) {
        const type = schema.types[spec.$ref.replace(/^#\/types\//, "")];
        if (type === undefined) {
            return [`${path}: the schema has no type ${spec.$ref}`];
        }
        if (type.enum !== undefined) {
            const values = type.enum.map((member) => member.value);
            return values.includes(value)
                ? []
                : [`${path}: ${JSON.stringify(value)} is not one of ${values.join(", ")}`];
        }
        return objectMisfits(schema, type.properties ?? {}, value, path);
    }
    switch (spec.type) {
        case "array":
            return Array.isArray(value)
                ? value.flatMap((item, i) => misfits(schema, spec.items ?? {}, item, `${path}[${i}]`))
                : [`${path}: not a list`];
        case "object":
            return value !== null && typeof value === "object" && !Array.isArray(value)
                ? Object.entries(value).flatMap(([key, item]) =>
                      misfits(schema, spec.additionalProperties ?? {}, item, `${path}.${key}`),
                  )
                : [`${path}: not an object`];
        case "integer":
        case "number":
            return typeof value === "number" ? [] : [`${path}: not a number`];
        case "string":
            return typeof value === "string" ? [] : [`${path}: not a string`];
        case "boolean":
            return typeof value === "boolean" ? [] : [`${path}: not a boolean`];
        default:
            return [`${path}: the schema gives no type`];
    }
}

function objectMisfits(
    schema: PackageSchema,
    properties: Readonly<Record<string, PropertySpec>>,
    value: unknown,
    path: string,
): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return [`${path}: not an object`];
    }
    return Object.entries(value).flatMap(([key, item]) => {
        const spec = properties[key];
        const at = path === "" ? key : `${path}.${key}`;
        if (spec === undefined) {
            return [`${at}: no such property; the type has ${Object.keys(properties).join(", ")}`];
        }
        if (typeof item === "string" && EXPRESSION.test(item) && spec.type === "string") {
            return [];
        }
        return misfits(schema, spec, item, at);
    });
}

/** Every way a resource's `properties` do not fit the schema of its type. */
export function propertyMisfits(schema: PackageSchema, type: string, properties: unknown): string[] {
    const resource = schema.resources[type];
    if (resource === undefined) {
        return [`${type}: the schema has no such resource`];
    }
    return objectMisfits(schema, resource.inputProperties ?? {}, properties ?? {}, "");
}

/** The resource's outputs, as `${name.output}` may read them. */
export function outputNames(schema: PackageSchema, type: string): string[] {
    return Object.keys(schema.resources[type]?.properties ?? {});
}

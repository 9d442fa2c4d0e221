import * as pulumi from "@pulumi/pulumi";

/** The value an Output (or plain input) resolves to. The one way tests read outputs. */
export function valueOf<T>(input: pulumi.Input<T>): Promise<T> {
    return new Promise<T>((resolve) => pulumi.output(input).apply((value) => resolve(value as T)));
}

/** Whether an output is marked secret. */
export function isSecretOutput(input: pulumi.Input<unknown>): Promise<boolean> {
    return pulumi.isSecret(pulumi.output(input));
}

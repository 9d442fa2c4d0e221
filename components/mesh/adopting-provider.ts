import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ProviderSettings } from "../args/settings";

/**
 * A kubernetes provider that adopts objects that already exist (`upsertExistingObjects`)
 * instead of failing with AlreadyExists, as pulumi-kubernetes does since 4.29 for objects it
 * creates client-side. Three things leave such objects behind:
 *  - `pulumi destroy` keeps Istio's CRDs (`helm.sh/resource-policy: keep`), so the next `up`
 *    creates them again;
 *  - `pulumi destroy` keeps `istio-system` and Prometheus's data claim (`retainOnDelete`);
 *  - the course's manual install (`kubectl apply`) made `istio-system` and the base objects.
 *
 * Only the namespace, the base chart and Prometheus's data claim use it. Upsert turns a rename or a change of parent
 * into "create over the old object, then delete it", which deletes what was just adopted;
 * test/program.test.ts pins the names and parents of everything this provider manages, so
 * such a change cannot pass unnoticed.
 */
export function adoptingProvider(
    name: string,
    settings: ProviderSettings,
    opts?: pulumi.CustomResourceOptions,
): k8s.Provider {
    // An explicit provider reads no `kubernetes:` config, nor the consumer's provider: it is
    // given the same settings, so it reaches the same cluster.
    const { kubeconfig, ...rest } = settings;
    return new k8s.Provider(
        name,
        {
            ...rest,
            // A kubeconfig holds credentials: keep it secret in the state.
            ...(kubeconfig !== undefined && { kubeconfig: pulumi.secret(kubeconfig) }),
            upsertExistingObjects: true,
            // Adopting means taking the fields over: a manual `kubectl apply` owns them under
            // another field manager, and an older Istio's CRDs differ, which a server-side apply
            // without force refuses as a conflict.
            enablePatchForce: true,
        } as k8s.ProviderArgs,
        opts,
    );
}

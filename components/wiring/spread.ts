import type { Scaling } from "../args/components";

/**
 * The pod labels to spread a workload's pods over nodes by, when it runs more than one:
 * two replicas on one node survive a pod's failure, not the node's.
 */
export function spreadOf(scaling: Scaling, labels: Record<string, string>): Record<string, string> | undefined {
    const least = scaling.autoscale?.min ?? scaling.replicas;
    return least >= 2 ? labels : undefined;
}

import { Graph } from "../support/graph";
import { runProgram, stackConfig } from "../support/program";

/**
 * `npm run bench`: evaluates the dev stack's program under mocks 20 times and prints the
 * median wall time of one evaluation and the depth of its dependency graph (the longest
 * chain of resources that wait for each other: the floor on how many rounds a deploy takes).
 */

const RUNS = 20;

async function main(): Promise<void> {
    const config = stackConfig("dev");
    const times: number[] = [];
    let graph: Graph | undefined;
    for (let i = 0; i < RUNS; i++) {
        const start = process.hrtime.bigint();
        const run = await runProgram(config);
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        if (run.error !== undefined) {
            throw run.error;
        }
        graph = new Graph(run.registrations);
    }
    times.sort((a, b) => a - b);
    const median = (times[RUNS / 2 - 1] + times[RUNS / 2]) / 2;
    const registered = graph?.registrations.length ?? 0;
    console.log(`dev stack, ${RUNS} evaluations under mocks (${registered} resources each)`);
    console.log(
        `median evaluation: ${median.toFixed(1)} ms (fastest ${times[0].toFixed(1)} ms, slowest ${times[RUNS - 1].toFixed(1)} ms)`,
    );
    console.log(`dependency graph depth: ${graph?.depth() ?? 0} resources`);
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});

// `pantau metrics [--now ISO]`: prints the Prometheus exposition once (for a node_exporter
// textfile collector, and to check what /metrics serves).
import type { Command } from "commander";
import { createObservability } from "../../app/observability.js";
import type { CliRuntime } from "../runtime.js";

export function registerMetricsCommands(program: Command, runtime: CliRuntime): void {
  program
    .command("metrics")
    .description("mencetak metrik Prometheus sekali / print the Prometheus metrics once")
    .option("--now <iso>", "waktu acuan / reference instant")
    .action(async (opts: { now?: string }) => {
      const now = runtime.now(opts.now);
      await runtime.withApp("pantau metrics", async (ctx) => {
        const observability = createObservability(ctx, () => now);
        try {
          runtime.io.out((await observability.render()).replace(/\n$/, ""));
        } finally {
          await observability.close();
        }
      });
    });
}

/** `weft cluster status --nats URL`: the workers registered, live or silent, their threads, memory, datasets and grid search tasks. */
import { natsOptionsOf, type WorkerCommandOptions } from "./worker.js";

export interface ClusterStatusOptions extends Omit<WorkerCommandOptions, "threads" | "name" | "heartbeatMs"> {
  json?: boolean;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

export async function runClusterStatus(options: ClusterStatusOptions, out: (text: string) => void): Promise<void> {
  const { Cluster } = await import("../cluster/cluster.js");
  const cluster = await Cluster.connect(options.nats.split(","), {
    ...(await natsOptionsOf(options)),
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
  });
  try {
    const workers = await cluster.workers();
    if (options.json) {
      out(JSON.stringify({ nats: options.nats, workers }));
      return;
    }
    if (workers.length === 0) {
      out(`no worker registered at ${options.nats} (start one: npx weft worker --nats ${options.nats})`);
      return;
    }
    const now = Date.now();
    const rows = workers.map((w) => [
      w.name,
      w.alive ? "live" : "silent",
      String(w.threads),
      mb(w.memory.used),
      mb(w.memory.rss),
      `${((now - w.heartbeat) / 1000).toFixed(1)} s ago`,
      Object.entries(w.datasets)
        .map(([id, parts]) => `${id} [${parts.join(", ")}]`)
        .join("; ") || "-",
      `${w.searchTasks ?? 0}${w.searchTask ? " (one running)" : ""}`,
    ]);
    const header = ["worker", "state", "threads", "weft memory", "process RSS", "heartbeat", "datasets (partitions)", "search tasks"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd();
    out(
      [
        `${workers.filter((w) => w.alive).length} of ${workers.length} workers live at ${options.nats}`,
        "",
        line(header),
        ...rows.map(line),
      ].join("\n"),
    );
  } finally {
    await cluster.close();
  }
}

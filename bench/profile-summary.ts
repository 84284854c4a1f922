/**
 * Summarizes a V8 CPU profile (`--cpu-prof`, e.g. BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" on the
 * bench) as markdown: busy vs idle, garbage collection, self time by package or app folder, the app folder
 * nearest each sample's leaf (which part of the app a sample works for), and the top functions.
 *   npx tsx bench/profile-summary.ts DIR/CPU.….cpuprofile
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const profile = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** A frame's bucket: node_modules package, app folder under src/, node internals, or a V8 pseudo-frame. */
function bucket(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : `(${name || "anonymous"})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? "node_modules";
  const app = /\/(?:dist\/)?src\/([^/]+)\//.exec(url);
  if (app) return `src/${app[1]}`;
  if (url.startsWith("node:")) return "node internals";
  return url.split("/").slice(-2).join("/");
}

const self = new Map<string, number>();
const owner = new Map<string, number>();
const fns = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  const node = byId.get(id);
  if (!node) return;
  total += dt;
  const { url, functionName, lineNumber } = node.callFrame;
  const b = bucket(url, functionName);
  self.set(b, (self.get(b) ?? 0) + dt);
  if (b === "(idle)") return;
  fns.set(
    `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`,
    (fns.get(`${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`) ??
      0) + dt,
  );
  let cur: Node | undefined = node;
  let found = "(no app frame)";
  while (cur) {
    const m = /\/(?:dist\/)?src\/([^/]+)\//.exec(cur.callFrame.url);
    if (m) {
      found = `src/${m[1]}`;
      break;
    }
    const p = parent.get(cur.id);
    cur = p === undefined ? undefined : byId.get(p);
  }
  owner.set(found, (owner.get(found) ?? 0) + dt);
});
const idle = self.get("(idle)") ?? 0;
const busy = total - idle;
const table = (title: string, m: Map<string, number>, of: number, n = 15) => [
  "",
  `| ${title} | ms | % of busy |`,
  "|---|---|---|",
  ...[...m]
    .filter(([k]) => k !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `| ${k.replaceAll("|", "\\|")} | ${v.toFixed(0)} | ${((100 * v) / of).toFixed(1)} |`),
];
console.log(
  [
    `Sampled ${(total / 1000).toFixed(1)} s: busy ${(busy / 1000).toFixed(1)} s (${((100 * busy) / total).toFixed(1)} %), idle ${(idle / 1000).toFixed(1)} s; garbage collection ${(self.get("(garbage collector)") ?? 0).toFixed(0)} ms.`,
    ...table("self time by package or app folder", self, busy),
    ...table("nearest app folder on the stack", owner, busy, 12),
    ...table("function (self)", fns, busy, 15),
  ].join("\n"),
);

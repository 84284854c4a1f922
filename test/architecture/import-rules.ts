/**
 * A small import checker built on the TypeScript compiler API: reads every import of a set of source files
 * and reports those that break the house's direction of flow (src/slack's Bolt surface → domain → gateway,
 * database). dependency-cruiser does the same as a maintained tool; this keeps the rule inside `npm test`
 * without a new dependency.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

/** One import: the file that has it, and what it names (a repository path, or a package name). */
export interface ImportEdge {
  from: string;
  to: string;
  line: number;
}

/** An import that breaks a rule. */
export interface Violation extends ImportEdge {
  rule: string;
}

/** A rule: a file matching `from` must not import anything matching `forbidden`. */
export interface ImportRule {
  name: string;
  from: (file: string) => boolean;
  forbidden: (target: string) => boolean;
}

/** Every import (static, `export … from`, dynamic `import()` with a literal) of one source text. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, specifier: string) => {
    const to = specifier.startsWith(".")
      ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))
      : specifier;
    edges.push({ from: file, to, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node, node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node, node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The imports that break any of `rules`, given each file's source text (paths relative to the repository). */
export function checkImports(
  sources: ReadonlyMap<string, string>,
  rules: readonly ImportRule[],
): Violation[] {
  const violations: Violation[] = [];
  for (const [file, text] of sources) {
    for (const edge of importsOf(file, text)) {
      for (const rule of rules) {
        if (rule.from(file) && rule.forbidden(edge.to)) violations.push({ ...edge, rule: rule.name });
      }
    }
  }
  return violations;
}

/** Reads every .ts file under `dir` (relative to `root`), generated code excepted. */
export function readSources(root: string, dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "generated" && entry.name !== "node_modules") walk(child);
      } else if (entry.name.endsWith(".ts")) {
        out.set(child, fs.readFileSync(path.join(root, child), "utf8"));
      }
    }
  };
  walk(dir);
  return out;
}

const under =
  (...dirs: string[]) =>
  (p: string) =>
    dirs.some((d) => p === d || p.startsWith(`${d}/`));

/** The domain: use cases, their data and the clients they call. */
export const isDomain = under(
  "src/onboarding",
  "src/finch",
  "src/reminders",
  "src/cockpit",
  "src/analytics",
  "src/intake",
  "src/checklist",
);
/** What the domain may use to reach Slack, the database, and the audit trail (who did what: `audit`, `Actor`). */
export const isLowerLayer = under("src/slack-gateway", "src/db", "src/audit");
/**
 * The use cases the cockpit shows; they tell it of their changes through the hooks (src/hooks.ts), the
 * reminder scheduler too (a reminder that failed for good).
 */
export const isUseCase = under("src/onboarding", "src/finch", "src/checklist", "src/reminders");
/** Pure Block Kit builders, a floor below the domain (src/blocks): the domain calls them, they import no domain. */
export const isView = under("src/blocks");
/** The Bolt room: the app, its middleware, intake decorator and listeners — everything under src/slack. */
export const isBoltSurface = under("src/slack");
/** What a builder may not import: the domain's use cases and data, besides the checklist's pure rules. */
const isAboveBuilders = (t: string) =>
  (isDomain(t) && !under("src/checklist")(t)) ||
  t === "src/checklist/state.ts" ||
  under("src/email", "src/portal", "src/metrics")(t) ||
  t === "src/context.ts";
/** Entry points: the composition root (and the applier thread's, src/apply-worker.ts), the HTTP routes, the sandbox, the command-line tools (src/cli). */
export const isEntryPoint = (p: string) =>
  under("src/http", "src/sandbox", "src/cli")(p) ||
  p === "src/fleet.ts" ||
  p === "src/main.ts" ||
  p === "src/apply-worker.ts";

/** The direction of flow, as rules. */
export const HOUSE_RULES: readonly ImportRule[] = [
  {
    name: "the domain does not import the Bolt room (src/slack: app, middleware, intake, listeners)",
    from: isDomain,
    forbidden: (t) => isBoltSurface(t) || t === "@slack/bolt" || t.startsWith("@slack/bolt/"),
  },
  {
    name: "the domain does not import entry points (HTTP routes, composition root, sandbox)",
    from: isDomain,
    forbidden: isEntryPoint,
  },
  {
    name: "views stay pure: no Bolt surface, no entry points, no database or Slack client",
    from: isView,
    forbidden: (t) => isBoltSurface(t) || isEntryPoint(t) || (isLowerLayer(t) && !t.endsWith("/ids.ts")),
  },
  {
    name: "builders (src/blocks) sit below the domain: they declare their own input types and import no use case",
    from: isView,
    forbidden: (t) => isAboveBuilders(t) || t === "@slack/bolt" || t.startsWith("@slack/bolt/"),
  },
  {
    name: "nothing else below the Bolt room imports it (only the composition root, HTTP routes and sandbox do)",
    from: (f) => f.startsWith("src/") && !isBoltSurface(f) && !isEntryPoint(f) && !isDomain(f),
    forbidden: isBoltSurface,
  },
  {
    name: "the gateway, the database and the audit trail import neither the domain nor Slack's surface",
    from: isLowerLayer,
    forbidden: (t) => isDomain(t) || isBoltSurface(t) || isEntryPoint(t),
  },
  {
    name: "programs are started, not imported: nothing imports src/main.ts or a command-line tool (src/cli)",
    from: (f) => f.startsWith("src/") && !under("src/cli")(f),
    forbidden: (t) => under("src/cli")(t) || t === "src/main.ts",
  },
  {
    name: "use cases do not call into the cockpit: it follows their changes through the hooks (src/hooks.ts)",
    from: isUseCase,
    forbidden: under("src/cockpit"),
  },
];

/** The domain's folders, which must import each other one way only (no folder imports back). */
export const DOMAIN_FOLDERS: readonly string[] = [
  "src/onboarding",
  "src/reminders",
  "src/cockpit",
  "src/finch",
  "src/checklist",
];

/**
 * The circles among `folders`: each a set of folders (in `folders`' order) that reach each other through
 * direct imports between them. Empty when the folders import each other one way only.
 */
export function folderCircles(sources: ReadonlyMap<string, string>, folders: readonly string[]): string[][] {
  const folderOf = (p: string) => folders.find((f) => p.startsWith(`${f}/`));
  const next = new Map(folders.map((f) => [f, new Set<string>()]));
  for (const [file, text] of sources) {
    const from = folderOf(file);
    if (!from) continue;
    for (const edge of importsOf(file, text)) {
      const to = folderOf(edge.to);
      if (to && to !== from) next.get(from)?.add(to);
    }
  }
  const reachable = (start: string) => {
    const seen = new Set<string>();
    const stack = [start];
    for (let f = stack.pop(); f !== undefined; f = stack.pop()) {
      for (const n of next.get(f) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
      }
    }
    return seen;
  };
  const reaches = new Map(folders.map((f) => [f, reachable(f)]));
  const circles: string[][] = [];
  const placed = new Set<string>();
  for (const f of folders) {
    if (placed.has(f)) continue;
    const circle = folders.filter((g) => g === f || (reaches.get(f)?.has(g) && reaches.get(g)?.has(f)));
    if (circle.length < 2) continue;
    for (const g of circle) placed.add(g);
    circles.push(circle);
  }
  return circles;
}

/**
 * The room of a repository path under src: its top folder (a folder counts as one room) or, for a file at the
 * top of src, the file itself. `src/sandbox` (the stand-ins, an entry point of its own) and anything outside
 * src have none.
 */
export function roomOf(p: string): string | undefined {
  const parts = p.split("/");
  if (parts[0] !== "src" || parts.length < 2 || parts[1] === "sandbox") return undefined;
  return parts.length > 2 ? `src/${parts[1]}` : p;
}

/** The house drawn as floors: each room's floor, and the imports that run from a room up to a higher one. */
export interface Floors {
  floors: Map<string, number>;
  upward: ImportEdge[];
}

/** Imports between rooms, and how many there are from each room to each other room. */
function roomImports(sources: ReadonlyMap<string, string>) {
  const edges: ImportEdge[] = [];
  const weight = new Map<string, Map<string, number>>();
  const touch = (room: string) => weight.get(room) ?? weight.set(room, new Map()).get(room) ?? new Map();
  for (const [file, text] of sources) {
    const from = roomOf(file);
    if (!from) continue;
    touch(from);
    for (const edge of importsOf(file, text)) {
      const to = roomOf(edge.to);
      if (!to || to === from) continue;
      edges.push(edge);
      touch(to);
      touch(from).set(to, (touch(from).get(to) ?? 0) + 1);
    }
  }
  return { edges, weight };
}

/**
 * The rooms from the top floor down, drawn so that as few imports as possible run back up (Eades, Lin and
 * Smyth's greedy order: a room nothing left imports goes on top, a room that imports nothing left goes to the
 * bottom, otherwise the room with the most imports out minus in goes on top; ties by name).
 */
function topDown(weight: ReadonlyMap<string, ReadonlyMap<string, number>>): string[] {
  const left = new Set([...weight.keys()].sort());
  const sum = (room: string, out: boolean) => {
    let total = 0;
    for (const other of left) {
      if (other !== room) total += (out ? weight.get(room)?.get(other) : weight.get(other)?.get(room)) ?? 0;
    }
    return total;
  };
  const top: string[] = [];
  const bottom: string[] = [];
  while (left.size > 0) {
    const rooms = [...left];
    const sink = rooms.find((r) => sum(r, true) === 0);
    const source = rooms.find((r) => sum(r, false) === 0);
    if (sink !== undefined) bottom.unshift(sink);
    else if (source !== undefined) top.push(source);
    else {
      const score = (r: string) => sum(r, true) - sum(r, false);
      top.push(rooms.reduce((best, r) => (score(r) > score(best) ? r : best)));
    }
    left.delete(sink ?? source ?? (top.at(-1) as string));
  }
  return [...top, ...bottom];
}

/**
 * Each room's floor is one above the highest floor it imports (0 when it imports no other room; `import type`
 * counts too). When rooms import each other in a circle, the house is drawn with as few imports running back
 * up as the greedy order finds; those imports are `upward` (empty when the rooms import one way only).
 */
export function floorsOf(sources: ReadonlyMap<string, string>): Floors {
  const { edges, weight } = roomImports(sources);
  const order = topDown(weight);
  const rank = new Map(order.map((room, i) => [room, i]));
  const floors = new Map<string, number>();
  for (const room of [...order].reverse()) {
    let floor = 0;
    for (const to of weight.get(room)?.keys() ?? []) {
      if ((rank.get(to) ?? 0) > (rank.get(room) ?? 0)) floor = Math.max(floor, (floors.get(to) ?? 0) + 1);
    }
    floors.set(room, floor);
  }
  const rankOf = (p: string) => rank.get(roomOf(p) ?? "") ?? 0;
  const upward = edges.filter((e) => rankOf(e.from) > rankOf(e.to));
  return { floors, upward };
}

/**
 * The Dockerfile's structure (no Docker engine runs here; .ci/docker-steps replays its steps): multi-stage,
 * slim and non-root at run time, health-checked on /healthz, exec-form CMD, no secrets in ENV/ARG, and
 * every file the runtime stage copies really exists in the build.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { type Copy, DockerfileParser, type Instruction } from "dockerfile-ast";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, "Dockerfile"), "utf8"));

interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
  workdir: string;
}

/** The stages in order, each with its own instructions and final WORKDIR. */
function stages(): Stage[] {
  const out: Stage[] = [];
  for (const inst of dockerfile.getInstructions()) {
    const keyword = inst.getKeyword();
    if (keyword === "FROM") {
      const args = inst.getArguments().map((a) => a.getValue());
      const as = args.findIndex((a) => a.toUpperCase() === "AS");
      out.push({
        name: as >= 0 ? (args[as + 1] ?? "") : "",
        image: args[0] ?? "",
        instructions: [],
        workdir: "/",
      });
      continue;
    }
    const stage = out.at(-1);
    if (!stage) throw new Error(`${keyword} before the first FROM`);
    stage.instructions.push(inst);
    if (keyword === "WORKDIR")
      stage.workdir = posix.resolve(stage.workdir, inst.getArguments()[0]?.getValue() ?? ".");
  }
  return out;
}

const all = stages();
const runtime = all.at(-1) as Stage;
const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.getKeyword() === keyword);
const args = (inst: Instruction) => inst.getArguments().map((a) => a.getValue());
/** COPY's sources and destination (flags removed), and its --from stage or null for the build context. */
function copyParts(inst: Instruction) {
  const paths = args(inst).filter((a) => !a.startsWith("--"));
  return {
    from: (inst as Copy).getFromFlag()?.getValue() ?? null,
    sources: paths.slice(0, -1),
    dest: paths.at(-1) ?? "",
  };
}
/** The exec-form JSON array after a keyword (CMD, or HEALTHCHECK's CMD), or null for the shell form. */
function execForm(inst: Instruction): string[] | null {
  const raw = inst.getRawArgumentsContent() ?? "";
  const cmd = inst.getKeyword() === "HEALTHCHECK" ? raw.replace(/^[\s\S]*?\bCMD\s+/, "") : raw;
  if (!cmd.trim().startsWith("[")) return null;
  return JSON.parse(cmd.replace(/\\\n\s*/g, "")) as string[];
}

/** .dockerignore patterns (anchored at the context's root, `*` within one segment). */
const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"))
  .map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/^\//, "")
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replaceAll("*", "[^/]*")}(/|$)`,
      ),
  );
const isIgnored = (path: string) => ignored.some((re) => re.test(posix.normalize(path).replace(/^\.\//, "")));

describe("Dockerfile", () => {
  it("has a build stage and a slim, named runtime stage", () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.every((s) => s.name !== "")).toBe(true);
    expect(runtime.image).toMatch(/slim|alpine|distroless/);
    expect(runtime.image).toMatch(/^node:\d+/);
  });

  it("runs as a non-root user in the final stage, with only the data folder writable", () => {
    const users = of(runtime, "USER").map((u) => args(u)[0] ?? "");
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const chowned = runtime.instructions.filter(
      (i) => i.getKeyword() === "COPY" && args(i).some((a) => a.startsWith("--chown")),
    );
    expect(chowned, "code copied into the image stays owned by root").toEqual([]);
    expect(
      of(runtime, "RUN")
        .map((r) => r.getRawArgumentsContent())
        .join("\n"),
    ).toContain("chown node:node /app/data");
  });

  it("checks its health on /healthz and starts with an exec-form CMD", () => {
    const [health] = of(runtime, "HEALTHCHECK");
    expect(health).toBeDefined();
    const probe = execForm(health as Instruction);
    expect(probe, "HEALTHCHECK CMD in exec form").not.toBeNull();
    expect(probe?.join(" ")).toContain("/healthz");
    const cmds = of(runtime, "CMD");
    expect(cmds).toHaveLength(1);
    const cmd = execForm(cmds[0] as Instruction);
    expect(cmd).toEqual(["node", "dist/src/main.js"]);
    expect(existsSync(join(ROOT, "src/main.ts"))).toBe(true);
    const port = of(runtime, "ENV")
      .flatMap((e) => args(e))
      .find((a) => a.startsWith("PORT="));
    expect(of(runtime, "EXPOSE").flatMap(args)).toContain(port?.slice("PORT=".length));
  });

  it("bakes in no secrets: no ENV or ARG named like one, no token-like value", () => {
    const names: string[] = [];
    const values: string[] = [];
    for (const stage of all) {
      for (const inst of [...of(stage, "ENV"), ...of(stage, "ARG")]) {
        for (const arg of args(inst)) {
          const [name = "", value = ""] = arg.split("=");
          names.push(name);
          values.push(value);
        }
      }
    }
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => /token|secret|key|password|passwd|credential/i.test(n))).toEqual([]);
    expect(values.filter((v) => /^(xox[bpa]-|xapp-)/.test(v))).toEqual([]);
    for (const must of [".env", "node_modules", "src/db/generated", ".git"])
      expect(isIgnored(must)).toBe(true);
  });

  it("copies the migrations and the runtime assets where the compiled code looks for them", () => {
    const copies = of(runtime, "COPY").map(copyParts);
    const dests = copies.map((c) => posix.resolve(runtime.workdir, c.dest));
    // src/db/migrate.ts looks for ../../../prisma/migrations from dist/src/db.
    expect(dests).toContain(posix.join(runtime.workdir, "prisma/migrations"));
    expect(existsSync(join(ROOT, "prisma/migrations"))).toBe(true);
    // Non-TypeScript assets sit beside their compiled module: /app/src/X → ./dist/src/X.
    for (const copy of copies.filter((c) => c.from && c.sources.some((s) => s.startsWith("/app/src/")))) {
      for (const source of copy.sources) {
        expect(posix.resolve(runtime.workdir, copy.dest)).toBe(
          posix.join(runtime.workdir, "dist", source.slice("/app/".length)),
        );
      }
    }
    expect(copies.some((c) => c.sources.includes("/app/src/checklist/templates"))).toBe(true);
  });

  it("ships the chart's font where the compiled chart looks for it (the slim image has no fonts)", () => {
    const copies = of(runtime, "COPY").map(copyParts);
    const fonts = copies.find((c) => c.sources.includes("assets/fonts"));
    expect(fonts?.from ?? null).toBeNull();
    // dist/src/analytics/chart.js looks three folders up: the image's root folder's assets/fonts.
    const chartDir = posix.join(runtime.workdir, "dist/src/analytics");
    expect(posix.resolve(runtime.workdir, fonts?.dest ?? "")).toBe(
      posix.join(posix.dirname(posix.dirname(posix.dirname(chartDir))), "assets/fonts"),
    );
    expect(existsSync(join(ROOT, "assets/fonts/DejaVuSans.ttf"))).toBe(true);
    expect(existsSync(join(ROOT, "assets/fonts/LICENSE-DejaVu.txt"))).toBe(true);
  });

  it("copies into the runtime stage only files that exist in the build", () => {
    const build = new Map(all.map((s) => [s.name, s]));
    const problems: string[] = [];
    for (const copy of of(runtime, "COPY").map(copyParts)) {
      for (const source of copy.sources) {
        if (!copy.from) {
          if (!existsSync(join(ROOT, source))) problems.push(`${source} is not in the repository`);
          if (isIgnored(source)) problems.push(`${source} is excluded by .dockerignore`);
          continue;
        }
        const stage = build.get(copy.from);
        if (!stage) {
          problems.push(`--from=${copy.from} names no stage`);
          continue;
        }
        const target = posix.resolve(stage.workdir, source);
        const run = of(stage, "RUN")
          .map((r) => r.getRawArgumentsContent() ?? "")
          .join("\n");
        if (target === posix.join(stage.workdir, "node_modules")) {
          if (!/npm ci/.test(run)) problems.push(`${source}: the ${stage.name} stage never runs npm ci`);
          if (!/npm prune --omit=dev/.test(run)) problems.push(`${source}: devDependencies are not pruned`);
          continue;
        }
        if (target === posix.join(stage.workdir, "dist")) {
          const tsconfig = readFileSync(join(ROOT, "tsconfig.json"), "utf8");
          if (!/npm run build/.test(run)) problems.push(`${source}: the ${stage.name} stage never builds`);
          if (!/"outDir":\s*"dist"/.test(tsconfig)) problems.push("tsconfig.json does not compile to dist/");
          continue;
        }
        // Otherwise it must come from the build context through one of the stage's own COPYs.
        const from = of(stage, "COPY")
          .map(copyParts)
          .filter((c) => !c.from)
          .flatMap((c) => {
            const dest = posix.resolve(stage.workdir, c.dest);
            return c.sources.map((s) => ({
              context: s,
              dest: c.sources.length > 1 || c.dest.endsWith("/") ? posix.join(dest, posix.basename(s)) : dest,
            }));
          })
          .find((c) => target === c.dest || target.startsWith(`${c.dest}/`));
        if (!from) {
          problems.push(`${source} is neither copied into nor produced by the ${stage.name} stage`);
          continue;
        }
        const contextPath = posix.join(from.context, target.slice(from.dest.length));
        if (!existsSync(join(ROOT, contextPath))) problems.push(`${source} ← ${contextPath} does not exist`);
        else if (isIgnored(contextPath))
          problems.push(`${source} ← ${contextPath} is excluded by .dockerignore`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("documents the migrate release step", () => {
    expect(existsSync(join(ROOT, "src/cli/migrate-cli.ts"))).toBe(true);
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("node dist/src/cli/migrate-cli.js");
    expect(readFileSync(join(ROOT, "Dockerfile"), "utf8")).toContain("node dist/src/cli/migrate-cli.js");
  });
});

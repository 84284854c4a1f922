/**
 * `npm start`'s `prestart`: compiles src/ to dist/ with esbuild when a source is newer than the last such
 * build, so `npm start` runs plain JavaScript (`node dist/src/main.js`). Running the TypeScript through tsx
 * instead costs ~2 s of CPU and tens of MiB at every start; this build takes well under a second, once.
 *
 * Each file is transpiled on its own (no bundling) into the same layout `npm run build` (tsc, used by the
 * Dockerfile) produces, so everything that finds files relative to its module (templates, the sandbox
 * page, migrations, the PGlite worker) behaves as in the image. esbuild only strips types: `npm run
 * typecheck` is still what checks them. Plain JavaScript so that it needs no loader of its own.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
const OUT = join(ROOT, "dist");
/** Written after a successful build; its mtime is "built at". tsc's builds do not write it. */
const STAMP = join(OUT, ".start-build");

/** Every .ts source under `dir` (declaration files excluded), with the newest mtime seen. */
function sources(dir, found = { files: [], newest: 0 }) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sources(path, found);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      found.files.push(path);
      found.newest = Math.max(found.newest, statSync(path).mtimeMs);
    }
  }
  return found;
}

const { files, newest } = sources(SRC);
const configNewest = Math.max(
  ...["package.json", "package-lock.json", "scripts/build-for-start.mjs"].map(
    (f) => statSync(join(ROOT, f)).mtimeMs,
  ),
);
/** The pristine embedded database (src/db/pristine.ts), built from the compiled code when missing or stale. */
async function buildPristine() {
  const { spawnSync } = await import("node:child_process");
  const run = spawnSync(process.execPath, [join(OUT, "src/db/pristine-cli.js")], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= Math.max(newest, configNewest)) {
  await buildPristine();
  process.exit(0);
}

const started = performance.now();
const esbuild = await import("esbuild");
// Built beside dist/src and swapped in at the end: a deleted or renamed source leaves no old output behind,
// and a build running at the same moment (the bench and a test) never sees, or leaves, a half-written tree.
// (At the same depth as dist/, so the source maps' relative paths stay right after the move.)
mkdirSync(OUT, { recursive: true });
const TMP = mkdtempSync(join(ROOT, ".dist-building-"));
await esbuild.build({
  entryPoints: files,
  outdir: TMP,
  outbase: ROOT,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  // "Bundling" only to rewrite imports: every import stays external, relative ones pointing at the
  // compiled file (tsc's rewriteRelativeImportExtensions does the same for `npm run build`).
  bundle: true,
  plugins: [
    {
      name: "keep-imports",
      setup(build) {
        build.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === "entry-point") return undefined;
          const relativeTs = /^\.\.?\//.test(args.path) && args.path.endsWith(".ts");
          return { path: relativeTs ? `${args.path.slice(0, -3)}.js` : args.path, external: true };
        });
      },
    },
  ],
});
const OLD = `${TMP}-old`;
if (existsSync(join(OUT, "src"))) renameSync(join(OUT, "src"), OLD);
try {
  renameSync(join(TMP, "src"), join(OUT, "src"));
} catch (err) {
  // Another build swapped its (identical) tree in first.
  if (!existsSync(join(OUT, "src"))) throw err;
}
rmSync(TMP, { recursive: true, force: true });
rmSync(OLD, { recursive: true, force: true });
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
const took = Math.round(performance.now() - started);
console.error(
  `built ${files.length} files from ${relative(ROOT, SRC)}/ into ${relative(ROOT, OUT)}/ in ${took} ms`,
);
await buildPristine();

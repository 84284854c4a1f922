/**
 * Finds references from the project's own files to paths outside the repository: a relative path that climbs
 * above the repository's root (a neighbouring checkout's folder, `join(import.meta.dirname, "..", "..", "..")`), or an absolute
 * path into a home or work folder. A clone elsewhere would not have them. System paths (`/usr/bin/…`,
 * `/proc/…`, `/tmp`) are the operating system's, not a neighbouring checkout's, and are allowed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** One reference that leaves the repository. */
export interface OutsideReference {
  file: string;
  line: number;
  text: string;
  why: string;
}

const STRING = /(["'`])((?:(?!\1)[^\\\n]|\\.)*)\1/g;
/** `join(import.meta.dirname, "a", "b")`, `resolve(__dirname, …)`, `new URL("…", import.meta.url)`. */
const ANCHORED =
  /\b(?:join|resolve)\(\s*(?:import\.meta\.dirname|__dirname)\s*((?:,\s*(["'`])(?:(?!\2)[^\\\n])*\2\s*)+)\)/g;
/** A path token that starts by climbing: `../x`, `./../../y`. */
const RELATIVE = /(^|[\s"'`(=,])((?:\.\/)?(?:\.\.\/)+[^\s"'`),;]*)/g;
const ABSOLUTE_PRIVATE = /(^|[\s"'`=:(])\/(?:work|home|Users|root|mnt|srv)\/[\w.-]/;
const SHARED = /(^|[^\w-])\.\.\/+shared\//;

function escapes(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === ".." || rel.startsWith(`..${sep}`) || resolve(root, rel) !== resolve(path);
}

/** Checks one file's text; `file` is its path relative to `root`. */
export function outsideReferences(root: string, file: string, text: string): OutsideReference[] {
  const found: OutsideReference[] = [];
  const fileDir = dirname(join(root, file));
  // Shell scripts and package.json scripts run from the repository's root (.ci/run cds there first).
  const runsFromRoot = /(^|\/)\.ci\/|package\.json$|\.sh$|Dockerfile$/.test(file);
  // Compiled sources run from dist/src/…, one level deeper, and may climb one more level to the same place.
  const bases = runsFromRoot
    ? [root]
    : file.startsWith("src/")
      ? [fileDir, join(root, "dist", file, "..")]
      : [fileDir];
  const leaves = (...parts: string[]) => bases.every((base) => escapes(root, resolve(base, ...parts)));
  const why = (lineText: string): string | undefined => {
    if (/^\s*(\/\/|\/?\*|#)/.test(lineText)) return undefined; // a comment names a path, it does not use it
    if (SHARED.test(lineText))
      return "refers to the folder beside this checkout, which a clone elsewhere lacks";
    if (ABSOLUTE_PRIVATE.test(lineText)) return "absolute path into a home or work folder";
    for (const match of lineText.matchAll(ANCHORED)) {
      const parts = [...(match[1] ?? "").matchAll(STRING)].map((m) => m[2] ?? "");
      if (leaves(...parts)) return "path built from the file's folder leaves the repository";
    }
    for (const match of lineText.matchAll(RELATIVE)) {
      const path = match[2] ?? "";
      if (leaves(path)) return `relative path "${path}" leaves the repository`;
    }
    return undefined;
  };
  text.split("\n").forEach((lineText, index) => {
    const reason = why(lineText);
    if (reason) found.push({ file, line: index + 1, text: lineText.trim(), why: reason });
  });
  return found;
}

const SKIP = new Set([
  "node_modules",
  "generated",
  ".git",
  "data",
  "dist",
  "coverage",
  "fixtures",
  "screenshots",
]);
const TEXT = /\.(ts|js|mjs|cjs|json|ya?ml|sh|md)$|(^|\/)(Dockerfile|run|docker-steps)$/;

/** Every text file of the project the check covers: sources, tests, scripts, CI and build files. */
export function projectFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      if (SKIP.has(name)) continue;
      const path = dir ? `${dir}/${name}` : name;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (TEXT.test(path) && !path.endsWith(".md")) out.push(path);
    }
  };
  for (const dir of ["src", "test", "bench", "prisma", ".ci"]) walk(dir);
  for (const file of readdirSync(root)) {
    if (/^(package\.json|Dockerfile|.*\.config\.ts|tsconfig.*\.json|biome\.json|manifest\.yml)$/.test(file)) {
      out.push(file);
    }
  }
  return out.sort();
}

/** The check's own test, whose examples of what it refuses are deliberate. */
const SELF = "test/architecture/inside-repository.test.ts";

/** The whole project's references outside the repository. */
export function scanProject(root: string): OutsideReference[] {
  return projectFiles(root)
    .filter((file) => file !== SELF)
    .flatMap((file) => outsideReferences(root, file, readFileSync(join(root, file), "utf8")));
}

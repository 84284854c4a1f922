import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readSources } from "./import-rules.ts";
import { loadedBy } from "./start-graph.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** What `npm start` loads before it answers /healthz: main.ts imports fleet.ts and the PGlite side itself. */
const START = ["src/main.ts", "src/fleet.ts", "src/db/prestart.ts", "src/db/pglite-database.ts"];

/**
 * Libraries only some requests need: loaded at every start they cost idle memory and start-up CPU (vega and
 * vega-lite with resvg ~30 MiB and ~0.2 s, nodemailer ~15 MiB; issue 26's 300 MiB idle target on PGlite).
 */
const LOADED_ON_USE = ["vega", "vega-lite", "@resvg/resvg-js", "nodemailer"];

describe("starting the app", () => {
  it("does not load the weekly chart's renderer or the mailer until they are used", () => {
    const loaded = loadedBy(readSources(ROOT, "src"), START);
    // The walk reaches the app (a broken walk would pass vacuously).
    expect(loaded.has("src/slack/listeners/index.ts")).toBe(true);
    expect(loaded.has("@slack/bolt")).toBe(true);
    expect(LOADED_ON_USE.filter((p) => loaded.has(p))).toEqual([]);
  });

  it("follows static value imports only: not `import type`, not `import()`", () => {
    const sources = new Map([
      [
        "src/a.ts",
        'import type { T } from "nodemailer";\nimport { b } from "./b.ts";\nexport type { V } from "vega";\n',
      ],
      ["src/b.ts", 'export * from "vega-lite/build";\nexport const b = () => import("@resvg/resvg-js");\n'],
    ]);
    expect([...loadedBy(sources, ["src/a.ts"])].sort()).toEqual(["src/a.ts", "src/b.ts", "vega-lite"]);
  });
});

/**
 * The weekly chart as a PNG, without a browser: a vega-lite spec compiled to vega, rendered to SVG by vega's
 * headless view, rasterized by resvg (@resvg/resvg-js, whose platform binary is an npm optional dependency:
 * nothing is downloaded at install). Text uses only the DejaVu Sans shipped in assets/fonts (system fonts
 * off): the Docker runtime image has no fonts, and the chart looks the same everywhere.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { WeeklyKind } from "./figures.ts";
import type { OnboardingReport } from "./report.ts";

/** The series the chart shows, with their legend names. */
const SERIES: Array<[WeeklyKind, string]> = [
  ["started_slack", "Started (Slack)"],
  ["started_email", "Started (email)"],
  ["invite_accepted", "Invitations accepted"],
  ["connected", "Connected"],
  ["verified", "Verified"],
];

/** The vega-lite spec of the week-over-week bars. */
export function chartSpec(report: OnboardingReport): TopLevelSpec {
  const values = report.weeks.flatMap((w) =>
    SERIES.map(([kind, label]) => ({
      week: w.start.toISOString().slice(0, 10),
      series: label,
      n: w.counts[kind],
    })),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Onboardings week over week",
    width: Math.max(240, report.weeks.length * 90),
    height: 220,
    background: "white",
    data: { values },
    mark: { type: "bar", tooltip: false },
    encoding: {
      x: { field: "week", type: "ordinal", title: "Week starting (UTC)" },
      xOffset: { field: "series", sort: SERIES.map(([, label]) => label) },
      y: { field: "n", type: "quantitative", title: "Count", axis: { tickMinStep: 1 } },
      color: { field: "series", type: "nominal", title: null, sort: SERIES.map(([, label]) => label) },
    },
  };
}

/** The shipped font: from src/analytics (tsx, vitest) or dist/src/analytics (the build, the image). */
export function chartFontFile(): string {
  const fromSrc = fileURLToPath(new URL("../../assets/fonts/DejaVuSans.ttf", import.meta.url));
  if (existsSync(fromSrc)) return fromSrc;
  return fileURLToPath(new URL("../../../assets/fonts/DejaVuSans.ttf", import.meta.url));
}

/** Rasterizes an SVG with only `fontFiles` (never the system's fonts). */
export function rasterizeSvg(svg: string, fontFiles: string[]): Buffer {
  const png = new Resvg(svg, {
    background: "white",
    font: {
      loadSystemFonts: false,
      fontFiles,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
    },
  })
    .render()
    .asPng();
  return Buffer.from(png);
}

/** The chart as SVG (scale 2), text as text. */
export async function chartSvg(report: OnboardingReport): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(report)).spec), { renderer: "none" });
  try {
    return await view.toSVG(2);
  } finally {
    view.finalize();
  }
}

/** Renders the chart to PNG bytes. */
export async function renderChartPng(report: OnboardingReport): Promise<Buffer> {
  return rasterizeSvg(await chartSvg(report), [chartFontFile()]);
}

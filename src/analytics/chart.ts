/**
 * The weekly chart as a PNG, without a browser: a vega-lite spec compiled to vega, rendered to SVG by vega's
 * headless view, rasterized by resvg (@resvg/resvg-js, whose platform binary is an npm optional dependency:
 * nothing is downloaded at install). Text uses the system's fonts (DejaVu Sans when present).
 */
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

/** Renders the chart to PNG bytes. */
export async function renderChartPng(report: OnboardingReport): Promise<Buffer> {
  const view = new vega.View(vega.parse(compile(chartSpec(report)).spec), { renderer: "none" });
  try {
    const svg = await view.toSVG(2);
    const png = new Resvg(svg, {
      background: "white",
      font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    })
      .render()
      .asPng();
    return Buffer.from(png);
  } finally {
    view.finalize();
  }
}

/**
 * The chart's labels render from the font shipped in assets/fonts, with the system's fonts off — as in the
 * Docker runtime image, which has no fonts at all. Without a font resvg draws no text (the labels would be
 * empty); with ours, the title and axis labels put dark pixels where only text can be.
 */
import { existsSync, readFileSync } from "node:fs";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { chartFontFile, chartSvg, rasterizeSvg, renderChartPng } from "../../src/analytics/chart.ts";
import type { OnboardingReport } from "../../src/analytics/report.ts";

const counts = { started_slack: 3, started_email: 1, invite_sent: 4, invite_accepted: 2, invite_declined: 0 };
const week = (start: string, n: number) => ({
  start: new Date(start),
  counts: { ...counts, invite_expired: 0, connected: n, verified: n },
});
const REPORT = { weeks: [week("2026-03-02", 1), week("2026-03-09", 5)] } as OnboardingReport;

/** Dark pixels (text is black-ish) in rows [from, to) of a PNG. */
function darkPixels(png: Buffer, fromRow: number, toRow: number): number {
  const image = PNG.sync.read(png);
  let dark = 0;
  for (let y = fromRow; y < Math.min(toRow, image.height); y++) {
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      if (
        (image.data[i] ?? 255) < 100 &&
        (image.data[i + 1] ?? 255) < 100 &&
        (image.data[i + 2] ?? 255) < 100
      )
        dark++;
    }
  }
  return dark;
}

describe("the chart's font", () => {
  it("ships DejaVu Sans with its licence", () => {
    const file = chartFontFile();
    expect(existsSync(file)).toBe(true);
    // A TrueType file (sfnt version 1.0).
    expect(readFileSync(file).readUInt32BE(0)).toBe(0x00010000);
    expect(readFileSync(new URL("../../assets/fonts/LICENSE-DejaVu.txt", import.meta.url), "utf8")).toContain(
      "Bitstream",
    );
  });

  it("draws the labels with system fonts off; with no font they would be empty", async () => {
    const svg = await chartSvg(REPORT);
    expect(svg).toContain("Onboardings week over week");
    const withFont = rasterizeSvg(svg, [chartFontFile()]);
    const withoutFont = rasterizeSvg(svg, []);
    // The title's band (the top 40 px at scale 2) holds only the title's text.
    expect(darkPixels(withoutFont, 0, 40)).toBe(0);
    expect(darkPixels(withFont, 0, 40)).toBeGreaterThan(200);
    // Over the whole chart, the axis titles and tick labels add many more.
    const height = PNG.sync.read(withFont).height;
    expect(darkPixels(withFont, 0, height) - darkPixels(withoutFont, 0, height)).toBeGreaterThan(1000);
    // The app's render is this one.
    expect((await renderChartPng(REPORT)).equals(withFont)).toBe(true);
  });
});

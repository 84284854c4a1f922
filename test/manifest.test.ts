/**
 * manifest.yml is valid against Slack's official schema, and matches the code: every command and event
 * the app listens to is declared, and nothing is declared that the code does not handle.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { InFlight } from "../src/background.ts";
import type { AppContext } from "../src/context.ts";
import { registerListeners } from "../src/slack/listeners/index.ts";

/** Slack's official schema, vendored with its MIT licence (see the folder's README). */
const SCHEMA_DIR = join(import.meta.dirname, "fixtures/slack-manifest-schema");
const manifest = parse(readFileSync(join(import.meta.dirname, "../manifest.yml"), "utf8"));

function validator() {
  const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, "manifest.schema.1.0.0.json"), "utf8"));
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

/** Registers the real listeners on a recorder that notes every command and event name. */
function listenedTo() {
  const commands: string[] = [];
  const events: string[] = [];
  const recorder = new Proxy(
    {},
    {
      get: (_t, prop) => (name: unknown) => {
        if (prop === "command") commands.push(String(name));
        if (prop === "event") events.push(String(name));
      },
    },
  );
  registerListeners(recorder as never, {} as AppContext, new InFlight());
  return { commands, events };
}

describe("manifest.yml", () => {
  it("is valid against Slack's official manifest schema", () => {
    const validate = validator();
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the schema check has teeth: Slack's own invalid example fails, its valid example passes", () => {
    const example = (name: string) => JSON.parse(readFileSync(join(SCHEMA_DIR, name), "utf8"));
    expect(validator()(example("manifest.invalid.json"))).toBe(false);
    expect(validator()(example("manifest.valid.json"))).toBe(true);
  });

  it("declares exactly the commands the code listens to", () => {
    const declared = manifest.features.slash_commands.map((c: { command: string }) => c.command).sort();
    expect(declared).toEqual([...new Set(listenedTo().commands)].sort());
  });

  it("subscribes to exactly the events the code listens to", () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(
      [...new Set(listenedTo().events)].sort(),
    );
  });

  it("points Slack at the one request URL the app serves, with interactivity on", () => {
    const urls = [
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      ...manifest.features.slash_commands.map((c: { url: string }) => c.url),
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe("/slack/events");
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it("asks only for scopes the features use", () => {
    expect(manifest.oauth_config.scopes.bot).not.toContain("channels:history");
    expect(manifest.oauth_config.scopes.bot).not.toContain("admin");
    expect(manifest.oauth_config.scopes.bot).toContain("conversations.connect:write");
  });
});

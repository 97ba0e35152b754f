import type { Hono } from "hono";
import type { SfEnv } from "../http";
import type { SandboxState } from "../state";

// An alert sink: stands in for a Slack incoming webhook (or any alert URL) so SLA alerts can be
// seen locally. Not part of Salesforce's API; faults (`status`, `latency` with a `path` of
// /__sink/alerts) apply to it like to any API path, so a failing alert URL can be played.

export const ALERT_SINK_PATH = "/__sink/alerts";

/** One alert as the sink received it. */
export interface ReceivedAlert {
  at: string;
  contentType: string | null;
  /** The JSON body, or the text when it was not JSON. */
  body: unknown;
}

export function sinkRoutes(app: Hono<SfEnv>, state: SandboxState): void {
  app.post(ALERT_SINK_PATH, async (c) => {
    const text = await c.req.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Kept as text: the sink records what it got.
    }
    state.alerts.push({
      at: new Date().toISOString(),
      contentType: c.req.header("content-type") ?? null,
      body,
    });
    // What a Slack incoming webhook answers.
    return c.text("ok");
  });
}

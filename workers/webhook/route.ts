import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import {
  deliveryIdOf,
  isForeignEvent,
  type LeadEvent,
  type LeadEventsMessage,
  packEvents,
  parseHubSpotDelivery,
  toLeadEvent,
} from "../../shared/contracts/webhook";
import { ErrorCode, jsonError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { sendBatchesBySize } from "../../shared/queue-batches";
import { describeZodError } from "../../shared/zod-error";
import { verifyHubSpotSignature } from "./signature";

/** HubSpot sends at most 100 events; even with long property values this is plenty. */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;

/** POST /webhooks/hubspot: verify, validate, enqueue, answer. Everything else is the consumer's. */
export const webhook = new Hono<HonoEnv>().post(
  "/webhooks/hubspot",
  bodyLimit({
    maxSize: WEBHOOK_MAX_BYTES,
    onError: (c) =>
      jsonError(c, ErrorCode.PayloadTooLarge, `Body exceeds ${WEBHOOK_MAX_BYTES} bytes`),
  }),
  async (c) => {
    const config = c.get("config");
    const log = c.get("log");
    const body = await c.req.text();
    const uri = config.WEBHOOK_PUBLIC_URL
      ? publicUri(config.WEBHOOK_PUBLIC_URL, c.req.url)
      : c.req.url;
    const check = await verifyHubSpotSignature(
      { method: c.req.method, uri, body, headers: c.req.raw.headers },
      config.HUBSPOT_CLIENT_SECRET,
      config.WEBHOOK_SIGNATURE_VERSION,
    );
    if (!check.ok) {
      log.warn("webhook_refused", { reason: check.reason });
      return jsonError(c, ErrorCode.Unauthorized, `Webhook signature refused: ${check.reason}`);
    }

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return jsonError(c, ErrorCode.BadRequest, "Body is not valid JSON");
    }
    const parsed = parseHubSpotDelivery(json);
    if (!parsed.success)
      return jsonError(c, ErrorCode.BadRequest, describeZodError(parsed.error, "events"));

    const receivedAt = Date.now();
    const raw = json as unknown[];
    const ours = { portalId: config.HUBSPOT_PORTAL_ID, appId: config.HUBSPOT_APP_ID };
    const messages: LeadEvent[] = [];
    let foreign = 0;
    parsed.data.forEach((event, i) => {
      if (isForeignEvent(raw[i], ours)) foreign++;
      else {
        const message = event && toLeadEvent(event, receivedAt);
        if (message) messages.push(message);
      }
    });
    // One message for the delivery: a consumer batch then holds up to 100 deliveries, not 100
    // events.
    // It also carries the delivery's counts for the report: the consumer records them, so this
    // answer waits on no D1 write.
    const ignored = parsed.data.length - messages.length - foreign;
    const delivery = {
      id: await deliveryIdOf(raw),
      receivedAt,
      events: parsed.data.length,
      ignored,
      ...(foreign ? { foreign } : {}),
    };
    const [first = { events: [] }, ...rest] = packEvents(messages);
    const bodies: LeadEventsMessage[] = [{ ...first, delivery }, ...rest];
    // The usual delivery is one message (packEvents left room for the delivery's fields): one
    // send in the Queues' own v8 encoding, no JSON text. That send is most of what the ack costs
    // beyond GET /health; a JSON sendBatch cost markedly more (bench/README.md, webhook ack).
    if (bodies.length === 1) await c.env.LEAD_EVENTS.send(bodies[0], { contentType: "v8" });
    else for (const batch of sendBatchesBySize(bodies)) await c.env.LEAD_EVENTS.sendBatch(batch);

    const fields = { events: parsed.data.length, enqueued: messages.length, ignored, foreign };
    if (foreign) log.warn("webhook_foreign_events", fields);
    else log.info("webhook_accepted", fields);
    return c.json({
      accepted: messages.length,
      ignored,
      foreign,
      deliveryId: delivery.id,
      requestId: c.get("requestId"),
    });
  },
);

/** The URL HubSpot signed: the configured public URL, keeping the query the Worker saw. */
function publicUri(configured: string, seen: string): string {
  const target = new URL(configured);
  if (!target.search) target.search = new URL(seen).search;
  return target.toString();
}

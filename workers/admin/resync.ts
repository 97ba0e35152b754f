import { Hono } from "hono";
import { ResyncRequestSchema } from "../../shared/contracts/admin";
import type { HonoEnv } from "../../shared/hono-env";
import { judgeAgain, sendJudgeAgain } from "./enqueue";
import { readJson } from "./validate";

/**
 * POST /admin/resync: judge the listed contacts again through the normal handoff, on the backfill
 * lane so live webhooks go first. Safe to repeat: the Salesforce upsert is by external id and an
 * unchanged lead costs no call.
 */
export const resync = new Hono<HonoEnv>().post("/resync", async (c) => {
  const { contactIds } = await readJson(c, ResyncRequestSchema);
  const unique = [...new Set(contactIds)];
  const request = crypto.randomUUID();
  const portalId = c.get("config").HUBSPOT_PORTAL_ID;
  await sendJudgeAgain(
    c.env.LEAD_BACKFILL,
    unique.map((id) => judgeAgain(portalId, id, `resync:${id}:${request}`, "resync")),
  );
  c.get("log").info("resync_enqueued", {
    contacts: unique.length,
    actor: c.get("adminActor") === "admin-token" ? "token" : "access",
  });
  return c.json({ accepted: unique.length, contactIds: unique }, 202);
});

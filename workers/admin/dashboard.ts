import { type Context, Hono } from "hono";
import type { HonoEnv } from "../../shared/hono-env";
import app from "./dashboard/app.client.js";
import charts from "./dashboard/charts.client.js";
import collateralPanel from "./dashboard/collateral.client.js";
import css from "./dashboard/dashboard.css";
import page from "./dashboard/index.html";
import mappingPanel from "./dashboard/mapping.client.js";
import panel from "./dashboard/panel.client.js";
import requirementsPanel from "./dashboard/requirements.client.js";
import routingPanel from "./dashboard/routing.client.js";
import rulesPanel from "./dashboard/rules.client.js";
import teamPanel from "./dashboard/team.client.js";

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

const ASSETS: Record<string, [body: string, type: string]> = {
  "app.js": [app, "text/javascript; charset=utf-8"],
  "charts.js": [charts, "text/javascript; charset=utf-8"],
  "panel.js": [panel, "text/javascript; charset=utf-8"],
  "rules.js": [rulesPanel, "text/javascript; charset=utf-8"],
  "mapping.js": [mappingPanel, "text/javascript; charset=utf-8"],
  "routing.js": [routingPanel, "text/javascript; charset=utf-8"],
  "requirements.js": [requirementsPanel, "text/javascript; charset=utf-8"],
  "collateral.js": [collateralPanel, "text/javascript; charset=utf-8"],
  "team.js": [teamPanel, "text/javascript; charset=utf-8"],
  "dashboard.css": [css, "text/css; charset=utf-8"],
};

/**
 * GET /admin/ and its assets. The page holds no data and asks for the token, so a browser can
 * load it without one; every data call it makes carries the token and is checked like any other.
 */
export const dashboard = new Hono<HonoEnv>();

/** The page. Under the /admin mount "/" is /admin itself; createApp serves /admin/ with it too. */
export const dashboardPage = (c: Context<HonoEnv>) =>
  c.body(page, 200, { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" });
dashboard.get("/", dashboardPage);

dashboard.get("/assets/:name", async (c, next) => {
  const asset = ASSETS[c.req.param("name")];
  // Unknown names fall through to auth, so probing reveals nothing.
  if (!asset) return next();
  return c.body(asset[0], 200, { ...SECURITY_HEADERS, "content-type": asset[1] });
});

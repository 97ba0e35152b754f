import { dashboardPage } from "./admin/dashboard";
import { admin } from "./admin/index";
import { createHttpApp } from "./http-app";

/** The whole HTTP surface: health, the webhook and the admin API and dashboard under /admin. */
export function createApp() {
  return createHttpApp((app) => {
    // /admin/ spelled out: a sub-app cannot register a trailing slash under its mount, and a
    // pattern that could (`/:slash{/?}`) drops every request from Hono's RegExpRouter to its
    // TrieRouter.
    app.get("/admin/", dashboardPage);
    app.route("/admin", admin);
  });
}

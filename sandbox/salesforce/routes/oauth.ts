import type { Hono } from "hono";
import { signIdentity } from "../auth";
import type { SfEnv } from "../http";
import type { SandboxState } from "../state";

// OAuth 2.0 token endpoint. Only the client-credentials flow is enabled on the connected app,
// so other grants are refused the way Salesforce refuses them.

export function oauthRoutes(app: Hono<SfEnv>, state: SandboxState): void {
  app.post("/services/oauth2/token", async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const field = (name: string) =>
      typeof form[name] === "string" ? (form[name] as string) : undefined;
    c.header("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private");

    if (field("grant_type") !== "client_credentials") {
      return c.json(
        { error: "unsupported_grant_type", error_description: "grant type not supported" },
        400,
      );
    }
    if (field("client_id") !== state.clientId) {
      return c.json(
        { error: "invalid_client_id", error_description: "client identifier invalid" },
        400,
      );
    }
    if (field("client_secret") !== state.clientSecret) {
      return c.json(
        { error: "invalid_client", error_description: "invalid client credentials" },
        400,
      );
    }
    const { token, issuedAt } = state.sessions.issue(state.store.orgId);
    const id = `${state.url}/id/${state.store.orgId}/${state.store.integrationUserId}`;
    return c.json({
      access_token: token,
      signature: signIdentity(state.clientSecret, id, issuedAt),
      scope: "api",
      instance_url: state.url,
      id,
      token_type: "Bearer",
      issued_at: String(issuedAt),
    });
  });

  app.get("/id/:orgId/:userId", (c) => {
    const user = state.store.get("User", c.req.param("userId"));
    if (!user || c.req.param("orgId") !== state.store.orgId)
      return c.json({ error: "Bad_Id", error_description: "Bad id" }, 404);
    return c.json({
      id: `${state.url}/id/${state.store.orgId}/${String(user.Id)}`,
      user_id: user.Id,
      organization_id: state.store.orgId,
      username: user.Username,
      display_name: user.Name,
      email: user.Email,
      active: user.IsActive,
      user_type: "STANDARD",
      urls: {
        rest: `${state.url}/services/data/v{version}/`,
        sobjects: `${state.url}/services/data/v{version}/sobjects/`,
      },
    });
  });
}

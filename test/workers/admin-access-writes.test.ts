import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../workers/app";
import { ADMIN_TOKEN } from "./admin-client";

const TEAM = "https://writes-test.cloudflareaccess.com";
const AUD = "aud-writes";
const BASE = "https://leadbridge.example";

/** An RSA key pair publishing as Access would, and a signer of Access JWTs with it. */
async function accessSigner() {
  const keys = (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const jwk = {
    ...((await crypto.subtle.exportKey("jwk", keys.publicKey)) as JsonWebKey),
    kid: "w1",
  };
  const b64 = (bytes: Uint8Array) =>
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  const part = (value: unknown) => b64(new TextEncoder().encode(JSON.stringify(value)));
  const now = Math.floor(Date.now() / 1000);
  const head = `${part({ alg: "RS256", kid: "w1", typ: "JWT" })}.${part({
    iss: TEAM,
    aud: [AUD],
    exp: now + 3600,
    iat: now,
    email: "ops@example.com",
  })}`;
  const sig = new Uint8Array(
    await crypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, new TextEncoder().encode(head)),
  );
  return { jwk, jwt: `${head}.${b64(sig)}` };
}

/** A queue binding that keeps what it is sent: a refused request must send nothing. */
function keepingQueue() {
  const sent: unknown[] = [];
  const queue = {
    send: async (body: unknown) => void sent.push(body),
    sendBatch: async (batch: MessageSendRequest[]) => void sent.push(...batch.map((m) => m.body)),
  } as unknown as Queue;
  return { queue, sent };
}

let jwt = "";
let fetchSpy: ReturnType<typeof vi.spyOn>;
beforeAll(async () => {
  const signer = await accessSigner();
  jwt = signer.jwt;
  fetchSpy = vi
    .spyOn(globalThis, "fetch")
    .mockImplementation(async () => Response.json({ keys: [signer.jwk] }));
});
afterAll(() => fetchSpy.mockRestore());

/** A request to the Worker with Access configured and the resync lane recording. */
async function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: any; sent: unknown[] }> {
  const lane = keepingQueue();
  const bindings = {
    ...env,
    ACCESS_TEAM_DOMAIN: TEAM,
    ACCESS_AUD: AUD,
    LEAD_BACKFILL: lane.queue,
  } as Env;
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request(`${BASE}${path}`, { method, headers, body }),
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: await res.json(), sent: lane.sent };
}

const resyncBody = JSON.stringify({ contactIds: ["4242"] });
const asAccess = (headers: Record<string, string> = {}) => ({
  "cf-access-jwt-assertion": jwt,
  ...headers,
});
const json = { "content-type": "application/json" };

async function expectRefused(
  res: Awaited<ReturnType<typeof send>>,
  status: 403 | 415,
  code: string,
) {
  expect(res.status).toBe(status);
  expect(res.body.error).toMatchObject({ code });
  expect(res.body.error.message).toMatch(/Origin|Content-Type/);
  expect(res.sent).toEqual([]);
}

describe("admin writes signed in with Cloudflare Access", () => {
  it("accepts a same-origin JSON write, as the browser sends it", async () => {
    const res = await send(
      "POST",
      "/admin/resync",
      asAccess({ ...json, origin: BASE, "sec-fetch-site": "same-origin" }),
      resyncBody,
    );
    expect(res.status).toBe(202);
    expect(res.sent).toHaveLength(1);
    // A client that sends neither header (a script behind an Access service token) is not a
    // browser on another site.
    expect((await send("POST", "/admin/resync", asAccess(json), resyncBody)).status).toBe(202);
  });

  it("refuses a cross-site Origin", async () => {
    for (const origin of ["https://evil.example", "null", "http://leadbridge.example"])
      await expectRefused(
        await send("POST", "/admin/resync", asAccess({ ...json, origin }), resyncBody),
        403,
        "forbidden",
      );
  });

  it("refuses Sec-Fetch-Site cross-site or same-site, even with a matching Origin", async () => {
    for (const site of ["cross-site", "same-site"])
      await expectRefused(
        await send(
          "POST",
          "/admin/resync",
          asAccess({ ...json, origin: BASE, "sec-fetch-site": site }),
          resyncBody,
        ),
        403,
        "forbidden",
      );
  });

  it("refuses the content types a form can send, and a bodyless write without JSON", async () => {
    const sameOrigin = { origin: BASE, "sec-fetch-site": "same-origin" };
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ])
      await expectRefused(
        await send(
          "POST",
          "/admin/resync",
          asAccess({ ...sameOrigin, "content-type": type }),
          resyncBody,
        ),
        415,
        "unsupported_media_type",
      );
    await expectRefused(
      await send("POST", "/admin/jobs/bf_none/cancel", asAccess(sameOrigin)),
      415,
      "unsupported_media_type",
    );
    // With it, the route itself answers (there is no such job).
    expect(
      (await send("POST", "/admin/jobs/bf_none/cancel", asAccess({ ...sameOrigin, ...json })))
        .status,
    ).toBe(404);
    // Reads are not writes.
    expect(
      (await send("GET", "/admin/rules", asAccess({ origin: "https://evil.example" }))).status,
    ).toBe(200);
  });

  it("leaves bearer-token requests alone: a browser never attaches the token by itself", async () => {
    const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await send("POST", "/admin/jobs/bf_none/cancel", bearer)).status).toBe(404);
    const res = await send("POST", "/admin/resync", { ...bearer, ...json }, resyncBody);
    expect(res.status).toBe(202);
    expect(res.sent).toHaveLength(1);
  });
});

import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { CollateralListSchema, CollateralVersionSchema } from "../../shared/contracts/collateral";
import { admin } from "./admin-client";

// Issue 18: collateral as versioned data through the admin API.

const guide = (version: string, extra: Record<string, unknown> = {}) => ({
  assetId: "buyer-guide",
  version,
  type: "guide",
  title: `Buyer Guide ${version}`,
  tags: ["proof"],
  targetAudience: "economic buyers",
  url: `https://example.com/guide-${version}.pdf`,
  attribution: { conversionEvents: ["Buyer guide download"], urlPatterns: ["*/guide*"] },
  ...extra,
});

const versionsOf = async (query: string) => {
  const res = await admin("GET", `/admin/collateral${query}`);
  expect(res.status).toBe(200);
  return CollateralListSchema.parse(res.body).assets.map(
    (a) => `${a.assetId}@${a.version}:${a.status}`,
  );
};

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM collateral_versions").run();
});

describe("collateral registry", () => {
  it("keeps 2.0.0 readable when 2.1.0 is published, and sales sees 2.1.0", async () => {
    const first = await admin("POST", "/admin/collateral", guide("2.0.0", { status: "published" }));
    expect(first.status).toBe(201);
    expect(CollateralVersionSchema.parse(first.body)).toMatchObject({
      status: "published",
      attribution: { leadSource: null, urlPatterns: ["*/guide*"] },
    });
    expect((await admin("POST", "/admin/collateral", guide("2.1.0"))).status).toBe(201);
    // A draft is not what sales sees.
    expect(await versionsOf("")).toEqual(["buyer-guide@2.0.0:published"]);

    const published = await admin("PUT", "/admin/collateral/buyer-guide/2.1.0", {
      status: "published",
    });
    expect(published.status).toBe(200);
    expect(CollateralVersionSchema.parse(published.body).publishedAt).toEqual(expect.any(String));
    expect(await versionsOf("")).toEqual(["buyer-guide@2.1.0:published"]);
    expect(await versionsOf("?assetId=buyer-guide")).toEqual([
      "buyer-guide@2.1.0:published",
      "buyer-guide@2.0.0:published",
    ]);

    // Archiving the newest leaves the older published version for sales.
    expect(
      (await admin("PUT", "/admin/collateral/buyer-guide/2.1.0", { status: "archived" })).status,
    ).toBe(200);
    expect(await versionsOf("")).toEqual(["buyer-guide@2.0.0:published"]);
    expect(await versionsOf("?all=1")).toEqual([
      "buyer-guide@2.1.0:archived",
      "buyer-guide@2.0.0:published",
    ]);
  });

  it("never changes a published version's content, and takes only versions above the highest", async () => {
    await admin("POST", "/admin/collateral", guide("1.0.0", { status: "published" }));
    const edit = await admin("PUT", "/admin/collateral/buyer-guide/1.0.0", { title: "Renamed" });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe("conflict");
    // Nor does it go back to draft.
    expect(
      (await admin("PUT", "/admin/collateral/buyer-guide/1.0.0", { status: "draft" })).status,
    ).toBe(409);
    const again = await admin("POST", "/admin/collateral", guide("1.0.0"));
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/^version: buyer-guide 1\.0\.0 exists/);
    const older = await admin("POST", "/admin/collateral", guide("0.9.0"));
    expect(older.status).toBe(409);
    expect(older.body.error.message).toMatch(/not above buyer-guide's highest version 1\.0\.0/);

    // A draft's content may change until it is published.
    await admin("POST", "/admin/collateral", guide("1.0.10"));
    const draft = await admin("PUT", "/admin/collateral/buyer-guide/1.0.10", { title: "Better" });
    expect(draft.status).toBe(200);
    expect(draft.body.title).toBe("Better");
    // 1.0.10 is above 1.0.9 (numeric, not text, order).
    expect((await admin("POST", "/admin/collateral", guide("1.0.9"))).status).toBe(409);
    expect(
      (await admin("PUT", "/admin/collateral/buyer-guide/9.9.9", { status: "published" })).status,
    ).toBe(404);
    expect((await admin("GET", "/admin/collateral?assetId=nothing-here")).status).toBe(404);
  });

  it("answers an invalid version or status with a 400 naming the field", async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ["POST", "/admin/collateral", guide("2.1"), /^body\.version: expected a semantic version/],
      ["POST", "/admin/collateral", guide("2.1.0", { status: "live" }), /^body\.status: /],
      ["PUT", "/admin/collateral/buyer-guide/2.1.0", { status: "gone" }, /^body\.status: /],
      ["PUT", "/admin/collateral/buyer-guide/v2", { status: "published" }, /^path\.version: /],
      ["POST", "/admin/collateral", guide("2.1.0", { url: "not a url" }), /^body\.url: /],
      ["GET", "/admin/collateral?assetId=Bad%20Id", undefined, /^query\.assetId: /],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await admin(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.code).toBe("bad_request");
      expect(res.body.error.message).toMatch(message);
    }
  });
});

import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../shared/env";
import { connectSalesforce } from "../../shared/salesforce/client";
import {
  encodedBytes,
  inQueries,
  QUERY_URI_MAX,
  soqlString,
} from "../../shared/salesforce/soql-in";
import { readConversions } from "../../workers/handoff/conversions";
import { resetSandboxes, salesforceUrl } from "./sandboxes";

// IN-list queries split to fit Salesforce's request-URI limit (jsforce sends queries as GETs).

const uri = (soql: string) => ({
  length: "/services/data/v62.0/query?q=".length + encodedBytes(soql),
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `contact-${100000 + i}`);

describe("inQueries", () => {
  it("keeps a short list in one statement, in order, without repeats", () => {
    expect(inQueries("SELECT Id FROM Lead WHERE X IN", ["b", "a", "b"], "LIMIT 5")).toEqual([
      "SELECT Id FROM Lead WHERE X IN ('b', 'a') LIMIT 5",
    ]);
    expect(inQueries("SELECT Id FROM Lead WHERE X IN", [])).toEqual([]);
  });

  it("splits a long list so every statement's URI fits, each value exactly once", () => {
    const values = ids(1_000);
    const statements = inQueries("SELECT Id FROM Lead WHERE X IN", values);
    expect(statements.length).toBeGreaterThan(1);
    for (const s of statements) expect(uri(s).length).toBeLessThanOrEqual(QUERY_URI_MAX);
    // Filled up: one more value would not have fitted in any statement but the last.
    for (const s of statements.slice(0, -1))
      expect(uri(`${s.slice(0, -1)}, 'contact-199999')`).length).toBeGreaterThan(QUERY_URI_MAX);
    // What fetch sends: the URL parser percent-encodes the quotes encodeURIComponent leaves.
    const sent = new URL(`https://x.example/q?q=${encodeURIComponent(statements[0]!)}`);
    expect(sent.search.length - 3).toBe(encodedBytes(statements[0]!));
    const listed = statements.flatMap((s) => [...s.matchAll(/'([^']+)'/g)].map((m) => m[1]));
    expect(listed).toEqual(values);
  });

  it("escapes quotes and backslashes", () => {
    expect(soqlString("O'Brien\\x")).toBe("'O\\'Brien\\\\x'");
  });
});

describe("readConversions", () => {
  beforeEach(resetSandboxes);

  it("reads the conversions of a 1,000-contact pass without a request Salesforce refuses", async () => {
    const conn = await connectSalesforce(loadConfig(env), env.KV);
    const contacts = ids(1_000);
    const picked = [contacts[3]!, contacts[997]!];
    const leadIds: string[] = [];
    for (const id of picked) {
      const created = await conn.sobject("Lead").create({
        LastName: "Converted",
        Company: "Example",
        HubSpot_Contact_Id__c: id,
      });
      if (!created.success) throw new Error("lead not created");
      leadIds.push(created.id);
      const res = await fetch(`${salesforceUrl()}/__sandbox/leads/${created.id}/convert`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(res.ok).toBe(true);
    }
    const found = await readConversions(async () => conn, contacts);
    expect(found.size).toBe(1_000);
    expect(found.get(picked[0]!)!.leadId).toBe(leadIds[0]);
    expect(found.get(picked[1]!)!.leadId).toBe(leadIds[1]);
    expect(found.get(picked[1]!)!.contactId).toMatch(/^003/);
    expect(found.get(contacts[500]!)!.leadId).toBeNull();
  });
});

import { mkdirSync } from "node:fs";
import sparticuz from "@sparticuz/chromium";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../../dev/stack";
import type { RulesPreview } from "../../shared/contracts/admin";
import type { Mapping } from "../../shared/contracts/mapping";
import {
  ADMIN_TOKEN,
  adminApi,
  createHubSpotCompany,
  createHubSpotContact,
  waitFor,
} from "./admin-stack";

// The dashboard's rules and field mapping panels in a real browser against npm start's stack (one
// stack and one browser for both: CI time): the document in force in the editor, a pasted one
// previewed (the API's own numbers, shown), saved only once previewed and with a note, and a bad
// one refused by name.

let stack: Stack;
let browser: Browser;
let page: Page;
let middling: string;
const ARTIFACTS = new URL("../artifacts/", import.meta.url);

beforeAll(async () => {
  stack = await startStack({ isolatedState: true });
  const api = adminApi(stack.workerUrl);
  const n = Date.now();
  // Their company's country is what the mapping panel's proposal maps to Region__c.
  const company = await createHubSpotCompany(stack.hubspotUrl, {
    name: "Acme Robotics",
    country: "Germany",
  });
  const contact = (tag: string, score: string) =>
    createHubSpotContact(
      stack.hubspotUrl,
      {
        email: `panel.${tag}.${n}@acme-robotics.com`,
        lastname: `Panel${tag}`,
        company: "Acme Robotics",
        jobtitle: "Senior Software Engineer",
        hubspotscore: score,
        hs_analytics_source: "REFERRALS",
        hs_analytics_last_url: "https://acme.example/pricing",
      },
      company,
    );
  const ids = [await contact("a", "75"), await contact("b", "65")];
  middling = ids[1]!;
  for (const id of ids)
    await waitFor(
      async () => {
        const lead = await api.call("GET", `/admin/leads/${id}`).catch(() => undefined);
        return lead?.lead.status === "handed_off" ? lead : undefined;
      },
      60_000,
      `contact ${id} handed off`,
    );
  browser = await chromium.launch({
    executablePath: await sparticuz.executablePath(),
    args: [...sparticuz.args, "--disable-background-networking"],
    headless: true,
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${stack.workerUrl}/admin/`);
  await page.fill("#token", ADMIN_TOKEN);
  await page.click("#login-form button");
  await page.waitForSelector("body[data-loaded=true]");
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const shown = (key: string) => page.textContent(`#rules-summary [data-key="${key}"]`);

describe("dashboard rules panel", () => {
  it("shows a document's preview and saves it only once previewed, with a note", async () => {
    const api = adminApi(stack.workerUrl);
    const current = await api.call<{ version: number; rules: Record<string, unknown> }>(
      "GET",
      "/admin/rules",
    );
    expect(await page.textContent("#rules-version")).toBe(`v${current.version} in force`);
    expect(JSON.parse(await page.inputValue("#rules-doc"))).toEqual(current.rules);
    expect(await page.isDisabled("#rules-save")).toBe(true);

    const proposal = { ...current.rules, minEngagementScore: 70 };
    await page.fill("#rules-doc", JSON.stringify(proposal, null, 2));
    await page.click("#rules-preview");
    await page.waitForSelector("#rules-result:not([hidden])");
    const expected = await api.call<RulesPreview>("POST", "/admin/rules/preview", {
      rules: proposal,
      days: 30,
    });
    expect(expected.toRefused).toBeGreaterThan(0);
    expect(await shown("judged")).toBe(String(expected.judged));
    expect(await shown("toRefused")).toBe(String(expected.toRefused));
    expect(await shown("toQualified")).toBe(String(expected.toQualified));
    expect(await page.locator("#rules-summary a").allTextContents()).toContain(middling);
    expect(
      await page.textContent('#rules-reasons tr[data-code="engagement_below_threshold"]'),
    ).toContain(String(expected.byReason.after.engagement_below_threshold));
    expect(await page.textContent('#rules-sources tr[data-source="referrals"]')).toContain(
      "2 of 2",
    );
    expect(await page.isDisabled("#rules-save")).toBe(false);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page
      .locator("#rules")
      .screenshot({ path: new URL("dashboard-rules.png", ARTIFACTS).pathname });

    // An edit after the preview: save waits for a new preview.
    await page.fill("#rules-doc", JSON.stringify({ ...proposal, minEngagementScore: 71 }));
    expect(await page.isDisabled("#rules-save")).toBe(true);
    await page.fill("#rules-doc", JSON.stringify(proposal));
    await page.click("#rules-preview");
    await page.waitForSelector("#rules-result:not([hidden])");
    await page.fill("#rules-note", "raise the bar, from the dashboard");
    await page.click("#rules-save");
    await expect
      .poll(() => page.textContent("#rules-saved"))
      .toBe(`Saved as version ${current.version + 1}, now in force.`);
    const saved = await api.call<{ version: number; rules: { minEngagementScore: number } }>(
      "GET",
      "/admin/rules",
    );
    expect(saved).toMatchObject({
      version: current.version + 1,
      rules: { minEngagementScore: 70 },
      note: "raise the bar, from the dashboard",
    });
  });

  it("names the field of a bad document and keeps save off", async () => {
    const { version, rules } = await adminApi(stack.workerUrl).call("GET", "/admin/rules");
    await page.fill("#rules-doc", JSON.stringify({ ...rules, minEngagementScore: 101 }));
    await page.click("#rules-preview");
    await expect.poll(() => page.textContent("#rules-error")).toContain("rules.minEngagementScore");
    expect(await page.isDisabled("#rules-save")).toBe(true);
    expect(await page.isHidden("#rules-result")).toBe(true);
    expect((await adminApi(stack.workerUrl).call("GET", "/admin/rules")).version).toBe(version);
  });
});

interface MappingView {
  version: number;
  mapping: Mapping;
  note: string | null;
}

describe("dashboard field mapping panel", () => {
  const withField = (mapping: Mapping, field: Mapping["fields"][number]): Mapping => ({
    fields: [...mapping.fields, field],
  });
  const region: Mapping["fields"][number] = {
    field: "Region__c",
    from: { property: "company.country" },
    transforms: [{ kind: "map", values: { Germany: "EMEA", Canada: "AMER" }, default: null }],
    policy: "if_empty",
  };

  it("previews a mapping to Region__c, saves it only once previewed, and shows the new version", async () => {
    const api = adminApi(stack.workerUrl);
    const current = await api.call<MappingView>("GET", "/admin/mapping");
    expect(await page.textContent("#mapping-version")).toBe(`v${current.version} in force`);
    expect(JSON.parse(await page.inputValue("#mapping-doc"))).toEqual(current.mapping);
    expect(await page.isDisabled("#mapping-save")).toBe(true);

    const proposal = withField(current.mapping, region);
    await page.fill("#mapping-doc", JSON.stringify(proposal, null, 2));
    await page.click("#mapping-preview");
    await page.waitForSelector("#mapping-result:not([hidden])");
    const expected = await api.call<RulesPreview>("POST", "/admin/rules/preview", {
      mapping: proposal,
      days: 30,
    });
    // Both contacts' company is in Germany: their Lead would gain Region__c = EMEA.
    expect(expected.mapping!.fieldsChanged).toContainEqual({
      field: "Region__c",
      contacts: expect.any(Number),
    });
    const changed = expected.mapping!.fieldsChanged.find((f) => f.field === "Region__c")!;
    expect(changed.contacts).toBeGreaterThanOrEqual(2);
    expect(await page.textContent('#mapping-fields tr[data-field="Region__c"]')).toBe(
      `Region__c${changed.contacts}`,
    );
    expect(await page.textContent('#mapping-summary [data-key="contactsChanged"]')).toBe(
      String(expected.mapping!.contactsChanged),
    );
    const example = page.locator('#mapping-examples tr[data-field="Region__c"]').first();
    expect(await example.locator("td").allTextContents()).toEqual([
      expect.any(String),
      "Region__c",
      "–",
      "EMEA",
    ]);
    expect(await page.textContent("#mapping-caveat")).toContain(
      "Region__c will be written only while empty in Salesforce",
    );
    expect(await page.isDisabled("#mapping-save")).toBe(false);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page
      .locator("#mapping")
      .screenshot({ path: new URL("dashboard-mapping.png", ARTIFACTS).pathname });

    // An edit after the preview: save waits for a new preview.
    await page.fill("#mapping-doc", JSON.stringify(current.mapping));
    expect(await page.isDisabled("#mapping-save")).toBe(true);
    await page.fill("#mapping-doc", JSON.stringify(proposal));
    await page.click("#mapping-preview");
    await page.waitForSelector("#mapping-result:not([hidden])");
    await page.fill("#mapping-note", "region from the company's country");
    await page.click("#mapping-save");
    await expect
      .poll(() => page.textContent("#mapping-saved"))
      .toBe(`Saved as version ${current.version + 1}, now in force.`);
    expect(await page.textContent("#mapping-version")).toBe(`v${current.version + 1} in force`);
    expect(await page.isDisabled("#mapping-save")).toBe(true);
    expect(await api.call<MappingView>("GET", "/admin/mapping")).toMatchObject({
      version: current.version + 1,
      mapping: proposal,
      note: "region from the company's country",
    });
  });

  it("names the field a mapping names that the Lead lacks and keeps save off", async () => {
    const api = adminApi(stack.workerUrl);
    const { version, mapping } = await api.call<MappingView>("GET", "/admin/mapping");
    const bad = withField(mapping, { ...region, field: "Territory__c" });
    await page.fill("#mapping-doc", JSON.stringify(bad, null, 2));
    await page.click("#mapping-preview");
    await expect
      .poll(() => page.textContent('#mapping-error li[data-field="Territory__c"]'), {
        timeout: 10_000,
      })
      .toBe("Territory__c Salesforce's Lead has no field Territory__c");
    expect(await page.$$eval("#mapping-error li", (items) => items.length)).toBe(1);
    await page
      .locator("#mapping")
      .screenshot({ path: new URL("dashboard-mapping-refused.png", ARTIFACTS).pathname });
    expect(await page.isDisabled("#mapping-save")).toBe(true);
    expect(await page.isHidden("#mapping-result")).toBe(true);
    expect((await api.call<MappingView>("GET", "/admin/mapping")).version).toBe(version);
  });
});

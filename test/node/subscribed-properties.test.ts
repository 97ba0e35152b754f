import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONTACT_PROPERTIES, SUBSCRIBED_PROPERTIES } from "../../workers/handoff/mql";

// The deploy steps tell admins which property changes to subscribe the HubSpot app to; the code's
// list and the README's must be the same, or a judgement reads a property no event reports.
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

function readmeList(): string[] {
  const start = readme.indexOf("every property a judgement");
  const end = readme.indexOf("(`SUBSCRIBED_PROPERTIES`", start);
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  return [...readme.slice(start, end).matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
}

describe("subscribed contact properties", () => {
  it("are exactly the ones the README's deploy steps list, in order", () => {
    expect(readmeList().length).toBeGreaterThan(5);
    expect([...SUBSCRIBED_PROPERTIES]).toEqual(readmeList());
  });

  it("are all read by a judgement, and none is one of Leadbridge's own writes", () => {
    expect(CONTACT_PROPERTIES).toEqual(expect.arrayContaining([...SUBSCRIBED_PROPERTIES]));
    expect(SUBSCRIBED_PROPERTIES.filter((p) => p.startsWith("leadbridge_"))).toEqual([]);
  });
});

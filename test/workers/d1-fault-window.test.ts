import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { faultActive, withD1Faults } from "../../shared/db/faulty";

// The outage run (test/chaos/outage.ts) takes D1 down for a window late in a running stack.
describe("the D1 fault switch's window (test-only)", () => {
  it("fails D1 calls from the window's start until its end, and not outside it", async () => {
    const now = Date.now();
    const window = `between:${now - 1_000}:${now + 60_000}`;
    expect(faultActive(window, now - 1_001)).toBe(false);
    expect(faultActive(window, now - 1_000)).toBe(true);
    expect(faultActive(window, now + 59_999)).toBe(true);
    expect(faultActive(window, now + 60_000)).toBe(false);
    expect(faultActive("between:soon:later", now)).toBe(false);

    const down = withD1Faults({ ...env, LEADBRIDGE_TEST_D1_FAULTS: window } as Env);
    await expect(down.DB.prepare("SELECT 1").first()).rejects.toThrow(/D1_ERROR/);
    const later = { ...env, LEADBRIDGE_TEST_D1_FAULTS: `between:${now + 60_000}:${now + 120_000}` };
    expect(withD1Faults(later as Env)).toBe(later);
  });
});

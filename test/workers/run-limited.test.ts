import { describe, expect, it } from "vitest";
import { runLimited } from "../../shared/batching";
import { evenPasses } from "../../workers/handoff/consumer";

describe("runLimited", () => {
  it("runs every call, never more than the limit at once", async () => {
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    const calls = Array.from({ length: 10 }, (_, i) => async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5 + (i % 3)));
      active--;
      done.push(i);
    });
    await runLimited(calls, 4);
    expect(peak).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("lets the other calls finish, then throws the first failure", async () => {
    const done: number[] = [];
    const calls = [0, 1, 2, 3].map((i) => async () => {
      if (i === 1) throw new Error("boom");
      await new Promise((r) => setTimeout(r, 2));
      done.push(i);
    });
    await expect(runLimited(calls, 2)).rejects.toThrow("boom");
    expect(done.sort()).toEqual([0, 2, 3]);
  });
});

describe("evenPasses", () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => i);
  it.each([
    [0, 1000, []],
    [700, 1000, [700]],
    [1000, 1000, [1000]],
    [1001, 1000, [501, 500]],
    [2500, 1000, [834, 834, 832]],
  ])("splits %i contacts with passes of at most %i into %j", (n, max, sizes) => {
    const passes = evenPasses(ids(n), max);
    expect(passes.map((p) => p.length)).toEqual(sizes);
    expect(passes.flat()).toEqual(ids(n));
  });
});

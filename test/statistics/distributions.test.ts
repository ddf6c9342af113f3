/** The beta and t quantiles against R's qbeta and qt (fixtures from scripts/r/reference-statistics.R). */
import { describe, expect, it } from "vitest";
import { betaQuantile, incompleteBeta, normalQuantile, tQuantile } from "../../shared/statistics/distributions.js";
import { readJson, type Reference } from "./fixture-data.js";

const reference = readJson<Reference>("reference.json");
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

describe("distributions equal R", () => {
  it("qbeta over shapes from 0.5 to 25,000 and the 2.5%, 50% and 97.5% points", () => {
    expect(reference.qbeta.length).toBe(60);
    for (const { p, a, b, q } of reference.qbeta) {
      const got = betaQuantile(p, a, b);
      expect(relative(got, q), `qbeta(${p}, ${a}, ${b}) = ${got}, R ${q}`).toBeLessThan(1e-9);
      // And the round trip through the incomplete beta function.
      expect(Math.abs(incompleteBeta(got, a, b) - p)).toBeLessThan(1e-10);
    }
  });

  it("Korn–Graubard shapes ≥ 1, n from 2 to 2,000,000: the quantile stops only where the incomplete beta gives p back", () => {
    for (const n of [2, 7, 30, 120, 600, 3_000, 20_000, 150_000, 2_000_000]) {
      for (const share of [0, 0.001, 0.02, 0.3, 0.5, 0.77, 0.98, 0.999, 1]) {
        const bounds: Array<[number, number, number]> = [
          [0.025, n * share, n * (1 - share) + 1],
          [0.975, n * share + 1, n * (1 - share)],
        ];
        for (const [p, a, b] of bounds) {
          if (a < 1 || b < 1) continue;
          const x = betaQuantile(p, a, b);
          expect(x > 0 && x < 1, `qbeta(${p}, ${a}, ${b}) = ${x}`).toBe(true);
          expect(Math.abs(incompleteBeta(x, a, b) - p), `qbeta(${p}, ${a}, ${b})`).toBeLessThan(1e-11);
        }
      }
    }
  });

  it("qt from 1 to 1,000,000 degrees of freedom", () => {
    for (const { df, q975, q025 } of reference.qt) {
      expect(relative(tQuantile(0.975, df), q975), `qt(0.975, ${df})`).toBeLessThan(1e-9);
      expect(relative(tQuantile(0.025, df), q025), `qt(0.025, ${df})`).toBeLessThan(1e-9);
    }
    expect(tQuantile(0.975, Infinity)).toBe(normalQuantile(0.975));
  });

  it("edge cases: zero shapes are R's point masses, probabilities outside [0, 1] are refused", () => {
    expect(betaQuantile(0.025, 0, 11)).toBe(0);
    expect(betaQuantile(0.975, 11, 0)).toBe(1);
    expect(() => betaQuantile(1.2, 2, 3)).toThrow(RangeError);
    expect(() => tQuantile(0.5, 0)).toThrow(RangeError);
  });
});

/** The password policy: length bounds, zxcvbn score ≥ 3, the username counted as a known word, reasons in both languages. */
import { describe, expect, it } from "vitest";
import { judgePassword } from "../../shared/accounts/password-policy.js";

describe("password policy", () => {
  it("accepts long unguessable passwords, including Vietnamese passphrases", () => {
    expect(judgePassword("Tre xanh mùa lúa chín vàng").ok).toBe(true);
    expect(judgePassword("q8Vx-2mPz_Lr7c").ok).toBe(true);
  });

  it("refuses fewer than 12 characters, counting characters rather than bytes", () => {
    const verdict = judgePassword("Ổi-Ương-Ấm");
    expect(verdict).toMatchObject({ ok: false, reason: "too_short" });
    if (!verdict.ok) {
      expect(verdict.text.vi).toContain("ít nhất 12 ký tự (hiện có 10)");
      expect(verdict.text.en).toContain("at least 12 characters (it has 10)");
    }
  });

  it("refuses common passwords and simple patterns however long", () => {
    for (const p of ["password123456", "qwertyuiopasdf", "aaaaaaaaaaaaaaaa", "123456789012", "iloveyou1234"]) {
      expect(judgePassword(p), p).toMatchObject({ ok: false, reason: "guessable" });
    }
  });

  it("counts the username and display name as words an attacker knows", () => {
    expect(judgePassword("nguyenvanbinh2026").ok).toBe(true);
    const verdict = judgePassword("nguyenvanbinh2026", ["nguyenvanbinh", "Nguyễn Văn Bình"]);
    expect(verdict).toMatchObject({ ok: false, reason: "guessable" });
    if (!verdict.ok) expect(verdict.text.en).toMatch(/username/);
  });

  it("judges what is left once the username is taken out", () => {
    for (const p of ["can-bo-123456", "can-bo-password", "quantri-quantri-2026"]) {
      expect(judgePassword(p, [p.split("-")[0] === "quantri" ? "quantri" : "can-bo", "Cán bộ Sở"]), p).toMatchObject({ ok: false, reason: "guessable" });
    }
    expect(judgePassword("Cán bộ Sở tre xanh mùa lúa", ["can-bo", "Cán bộ Sở"]).ok).toBe(true);
  });
});

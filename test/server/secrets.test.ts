/** Password hashing: async scrypt off the event loop, cost parameters stored with the hash, the old format still verified. */
import { randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SCRYPT_COST, hashSecret, needsRehash, verifySecret } from "../../server/lib/secrets.js";

describe("password hashes", () => {
  it("store the scrypt cost parameters with the salt and hash", async () => {
    const stored = await hashSecret("một mật khẩu dài");
    expect(stored).toMatch(/^scrypt\$N=32768,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifySecret("một mật khẩu dài", stored)).toBe(true);
    expect(await verifySecret("một mật khẩu dài!", stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
    // Raising the cost later marks existing hashes for an upgrade at sign-in.
    expect(needsRehash(stored, { ...SCRYPT_COST, N: SCRYPT_COST.N * 2 })).toBe(true);
  });

  it("still verify the old format (no parameters: Node's defaults) and mark it for an upgrade", async () => {
    const salt = randomBytes(16);
    const legacy = `scrypt$${salt.toString("base64url")}$${scryptSync("mat-khau-cu-1234", salt, 32).toString("base64url")}`;
    expect(await verifySecret("mat-khau-cu-1234", legacy)).toBe(true);
    expect(await verifySecret("mat-khau-cu-12345", legacy)).toBe(false);
    expect(needsRehash(legacy)).toBe(true);
  });

  it("refuse malformed or absurd parameters instead of running them", async () => {
    const [, , salt, hash] = (await hashSecret("x-y-z-w-v-u-t")).split("$");
    for (const params of ["N=3,r=8,p=1", "N=1073741824,r=8,p=1", "N=32768,r=0,p=1", "N=abc,r=8,p=1"]) {
      expect(await verifySecret("x-y-z-w-v-u-t", `scrypt$${params}$${salt}$${hash}`)).toBe(false);
    }
    expect(await verifySecret("x", "bcrypt$whatever")).toBe(false);
  });

  it("do not block the event loop while hashing", async () => {
    let turns = 0;
    let done = false;
    const spin = () => {
      turns++;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    await Promise.all([hashSecret("a-long-enough-secret"), hashSecret("another-long-secret")]);
    done = true;
    // scryptSync would hold the loop for the whole ~0.1 s; the async API lets it turn meanwhile.
    expect(turns).toBeGreaterThan(2);
  });
});

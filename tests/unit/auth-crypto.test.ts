/**
 * The secrets of accounts and devices: scrypt hashes in their stated format, verified in
 * constant time; random tokens with their prefixes; pairing codes a person can read aloud.
 */
import { describe, expect, it } from 'vitest';
import { hashCost, hashPassword, newPairingCode, newSecret, sameSecret, sha256, verifyPassword } from '../../server/auth/crypto.ts';
import { PAIRING_ALPHABET, formatPairingCode, normalisePairingCode } from '../../shared/auth.ts';

describe('password hashes', () => {
  it('are scrypt$N$r$p$salt$hash with a 16-byte salt and a 64-byte key', async () => {
    const h = await hashPassword('correct horse battery', 1024);
    const [name, N, r, p, salt, key] = h.split('$');
    expect([name, N, r, p]).toEqual(['scrypt', '1024', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(key!, 'base64')).toHaveLength(64);
    expect(hashCost(h)).toBe(1024);
  });

  it('verify the right password and refuse a wrong one', async () => {
    const h = await hashPassword('correct horse battery', 1024);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
  });

  it('differ for the same password (a fresh salt each time)', async () => {
    const [a, b] = await Promise.all([hashPassword('same password!', 1024), hashPassword('same password!', 1024)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password!', b)).toBe(true);
  });

  it('verify with the cost they were made with, after the configured cost changed', async () => {
    const old = await hashPassword('made long ago', 2048);
    expect(hashCost(old)).toBe(2048);
    expect(await verifyPassword('made long ago', old)).toBe(true);
  });

  it('treat the same text typed in another Unicode form as the same password', async () => {
    const h = await hashPassword('Ｐassword１２３４５', 1024); // full-width, as some IMEs type it
    expect(await verifyPassword('Password12345', h)).toBe(true);
  });

  it('refuse a malformed stored hash without throwing', async () => {
    for (const bad of ['', 'plain', 'scrypt$abc$8$1$c2FsdA==$a2V5', 'scrypt$1000$8$1$c2FsdA==$a2V5', 'bcrypt$1$2$3$4$5']) {
      expect(await verifyPassword('anything at all', bad), bad).toBe(false);
    }
  });
});

describe('secrets', () => {
  it('are 32 random bytes in base64url after their prefix, and never repeat', () => {
    const a = newSecret('cbk_');
    expect(a).toMatch(/^cbk_[A-Za-z0-9_-]{43}$/);
    expect(newSecret('cbd_')).toMatch(/^cbd_[A-Za-z0-9_-]{43}$/);
    expect(new Set(Array.from({ length: 200 }, () => newSecret())).size).toBe(200);
  });

  it('are stored as their sha256 and compared whole', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sameSecret('token-a', 'token-a')).toBe(true);
    expect(sameSecret('token-a', 'token-b')).toBe(false);
    expect(sameSecret('token', 'token-a')).toBe(false);
  });
});

describe('pairing codes', () => {
  it('use only the 32 characters that cannot be misread (no 0/O, 1/I)', () => {
    expect(PAIRING_ALPHABET).toHaveLength(32);
    for (const ch of '01OI') expect(PAIRING_ALPHABET).not.toContain(ch);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = newPairingCode();
      expect(code).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$/);
      for (const ch of code) seen.add(ch);
    }
    // Every character turns up: the draw covers the alphabet.
    expect(seen.size).toBe(32);
  });

  it('are shown as ABC-123 and typed back in any case, with or without the dash', () => {
    expect(formatPairingCode('ABC234')).toBe('ABC-234');
    expect(normalisePairingCode('abc-234')).toBe('ABC234');
    expect(normalisePairingCode(' ABC 234 ')).toBe('ABC234');
    expect(normalisePairingCode('ABC-2340')).toBeNull();
    expect(normalisePairingCode('ABO-234')).toBeNull(); // O is not in the alphabet
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import {
  decryptAuthsession,
  encryptAuthsession,
  formatAuthsession,
  parseAuthsession,
} from './authsession-cookie';

const key = randomBytes(32);
const content = { path: 'U', type: 'P', sessionId: randomUUID() };

describe(encryptAuthsession.name, () => {
  it('round-trips, with a fresh IV each time, and holds nothing readable', () => {
    const a = encryptAuthsession(key, content);
    const b = encryptAuthsession(key, content);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decryptAuthsession(key, a)).toEqual(content);
    expect(Buffer.from(a, 'base64url').toString('latin1')).not.toContain(content.sessionId);
    // IV ‖ ciphertext (39 bytes) ‖ tag
    expect(Buffer.from(a, 'base64url')).toHaveLength(16 + 39 + 16);
  });

  const value = encryptAuthsession(key, content);
  const flip = (v: string, at: number) => {
    const raw = Buffer.from(v, 'base64url');
    raw[at] ^= 1;
    return raw.toString('base64url');
  };
  it.each<[string, Buffer, string]>([
    ['another key (rotated out)', randomBytes(32), value],
    ['truncated', key, value.slice(0, -4)],
    ['a flipped IV bit', key, flip(value, 0)],
    ['a flipped ciphertext bit', key, flip(value, 20)],
    ['a flipped tag bit', key, flip(value, 60)],
    ['junk', key, 'not-a-value'],
    ['empty', key, ''],
    ['non-base64url', key, 'a.b/c+d='],
    ['very long', key, 'A'.repeat(5000)],
    [
      'encrypted junk content',
      key,
      encryptAuthsession(key, { path: 'U', type: 'P', sessionId: 'x' }),
    ],
  ])('rejects %s without throwing', (_what, k, v) => {
    expect(decryptAuthsession(k, v)).toBeNull();
  });
});

describe(parseAuthsession.name, () => {
  it.each<[string, boolean]>([
    [formatAuthsession(content), true],
    ['UP:not-a-uuid', false],
    ['U:12345678-1234-1234-1234-123456789abc', false],
    ['up:12345678-1234-1234-1234-123456789abc', false],
    ['UP:12345678-1234-1234-1234-123456789abc', true],
  ])('%s → %s', (text, ok) => {
    expect(parseAuthsession(text) !== null).toBe(ok);
  });
});

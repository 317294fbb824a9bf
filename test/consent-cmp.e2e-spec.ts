import { RestrictionType } from '@iabtechlabtcf/core';
import type { AddressInfo } from 'node:net';
import type { Response } from 'supertest';
import { KeeperService } from '../src/keeper/keeper.service';
import { VisitorRegistryService } from '../src/registry/visitor-registry.service';
import { cookieHeader, relay, setCookie, setCookies } from './helpers/cookies';
import { rawRequest } from './helpers/raw-http';
import { tcString } from './helpers/tcf';
import { TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

/*
 * Consent from the site's CMP (SPEC §15) through the real app, on both databases: the TC string
 * (header or the CMP's own cookie) and Google Consent Mode's default and update decide as a
 * consent() call would, the decision is recorded in Pantry's durable consent cookie and in the
 * visitor record (never the string), a withdrawal deletes identity and kept cookies, and
 * hostile strings get an answer, never a 5xx.
 */
const TCF = 'tcf-key-00000001';
const VENDOR = 'vendor-key-000001';
const STORAGE = 'storage-key-00001';
const GCM = 'gcm-key-000000001';
const PANTRY = 'pantry-key-000001';
const LAX = 'lax-key-000000001';
const GA = 'GA1.1.1234567890.1700000000';
const n = (key: string, cookie: string) => `x-unblu-${key}-${cookie}`;
const GRANTED = tcString({ purposes: [1, 2, 7] });
const WITHDRAWN = tcString({ purposes: [2, 7] });

describe('consent from the CMP', () => {
  const pantry = useApp({
    app: 'server.trustProxy = true',
    accounts: {
      tcf: [`account.apiKeys = ${TCF}`, 'consent.source = TCF', 'keeper.cookies = ga'].join('\n'),
      vendor: [
        `account.apiKeys = ${VENDOR}`,
        'consent.source = TCF',
        'consent.tcfPurposes = 1, 2',
        'consent.tcfVendorId = 755',
      ].join('\n'),
      storage: [
        `account.apiKeys = ${STORAGE}`,
        'consent.source = TCF',
        'server.cors.allowedOrigins = https://www.shop.test',
        'server.cors.corsCookieMode = LOCAL_STORAGE',
      ].join('\n'),
      gcm: [`account.apiKeys = ${GCM}`, 'consent.source = GOOGLE_CONSENT_MODE'].join('\n'),
      pantry: `account.apiKeys = ${PANTRY}`,
      lax: [`account.apiKeys = ${LAX}`, 'consent.source = TCF', 'consent.required = false'].join(
        '\n',
      ),
    },
  });

  /** identify on the page's own host (the same-origin path mode), over HTTPS at the proxy. */
  const identify = (key: string, headers: Record<string, string> = {}) => {
    const r = pantry
      .http()
      .post(`/unblu/v1/identify?x-unblu-apikey=${key}`)
      .set('Host', 'www.shop.test')
      .set('X-Forwarded-Proto', 'https');
    for (const [name, value] of Object.entries(headers)) r.set(name, value);
    return r;
  };
  const identity = (res: Response, key: string) =>
    ['device', 'anonymous-person'].map((c) => setCookie(res, n(key, c)));
  const issued = (res: Response, key: string) =>
    identity(res, key).every((c) => c !== undefined && c.attributes['max-age'] !== '0');
  const deleted = (res: Response, key: string) =>
    identity(res, key).every((c) => c?.attributes['max-age'] === '0');
  const consentCookie = (res: Response, key: string) => setCookie(res, n(key, 'consent'));
  const admin = (path: string) =>
    pantry
      .http()
      .get(`/admin/v1/accounts/${path}`)
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  const record = async (account: string, visitorId: string) => {
    await pantry.app.get(VisitorRegistryService).flush();
    return (await admin(`${account}/visitors/${visitorId}`).expect(200)).body as Record<
      string,
      unknown
    >;
  };

  describe('TCF', () => {
    it('no string yet: no identity, whatever consent.required says', async () => {
      for (const key of [TCF, LAX]) {
        const res = await identify(key).expect(200);
        expect(res.body).toMatchObject({ consent: 'unset', visitorId: null, deviceId: null });
        expect(identity(res, key)).toEqual([undefined, undefined]);
      }
    });

    it('purposes consented: identity issued and the decision recorded, durable and signed', async () => {
      const res = await identify(TCF, { 'x-unblu-tcf': GRANTED }).expect(200);
      expect(res.body.consent).toBe('granted');
      expect(issued(res, TCF)).toBe(true);
      const recorded = consentCookie(res, TCF)!;
      expect(recorded.value).toMatch(/^tcf-granted\./);
      expect(recorded.attributes).toMatchObject({ 'max-age': '31536000', httponly: true });
      const body = await record('tcf', res.body.visitorId);
      expect(body).toMatchObject({
        consent: 'granted',
        consentSource: 'tcf',
        consentPurposes: [1, 2, 7],
      });
      expect(Date.parse(body.consentAt as string)).toBeGreaterThan(Date.now() - 60_000);
      expect(JSON.stringify(body)).not.toContain(GRANTED);
    });

    it('the CMP cookie gone (Safari, 7 days): the recorded decision holds until the CMP speaks again', async () => {
      const first = await identify(TCF, { 'x-unblu-tcf': GRANTED }).expect(200);
      const jar = cookieHeader(first);
      // The same string again is a refresh, not a new decision: the cookie is re-sent as it came.
      const again = await identify(TCF, { Cookie: jar, 'x-unblu-tcf': GRANTED }).expect(200);
      expect(consentCookie(again, TCF)?.value).toBe(consentCookie(first, TCF)?.value);
      const later = await identify(TCF, { Cookie: jar }).expect(200);
      expect(later.body).toMatchObject({ consent: 'granted', visitorId: first.body.visitorId });
      const spoken = await identify(TCF, { Cookie: jar, 'x-unblu-tcf': WITHDRAWN }).expect(200);
      expect(spoken.body).toMatchObject({ consent: 'denied', visitorId: null });
    });

    it('purpose 1 withdrawn: identity and kept cookies deleted, in the browser and in storage; the record says when', async () => {
      const first = await identify(TCF, { 'x-unblu-tcf': GRANTED }).expect(200);
      const { visitorId } = first.body as { visitorId: string };
      const jar = `${cookieHeader(first)}; _ga=${GA}`;
      const kept = await identify(TCF, { Cookie: jar }).expect(200);
      expect(setCookie(kept, '_ga')?.value).toBe(GA);
      const keeper = pantry.app.get(KeeperService);
      await keeper.flush();
      expect(await keeper.names('tcf', visitorId)).toEqual(['_ga']);

      const withdrawn = await identify(TCF, { Cookie: jar, 'x-unblu-tcf': WITHDRAWN }).expect(200);
      expect(withdrawn.body).toMatchObject({ consent: 'denied', visitorId: null });
      expect(deleted(withdrawn, TCF)).toBe(true);
      expect(consentCookie(withdrawn, TCF)?.value).toMatch(/^tcf-denied\./);
      expect(setCookie(withdrawn, '_ga')?.attributes['max-age']).toBe('0');
      expect(await keeper.names('tcf', visitorId)).toEqual([]);
      expect(await record('tcf', visitorId)).toMatchObject({
        consent: 'denied',
        consentSource: 'tcf',
        consentPurposes: [2, 7],
      });
    });

    it('cross-origin (LOCAL_STORAGE): a withdrawal deletes the relayed copies too', async () => {
      const call = (headers: Record<string, string>) => {
        const r = pantry
          .http()
          .post(`/unblu/v1/identify?x-unblu-apikey=${STORAGE}`)
          .set('Origin', 'https://www.shop.test');
        for (const [name, value] of Object.entries(headers)) r.set(name, value);
        return r.expect(200);
      };
      const granted = await call({ 'x-unblu-tcf': GRANTED });
      const copies = relay(granted)!.cookies;
      expect(copies.map((c) => c.name)).toEqual(
        expect.arrayContaining([n(STORAGE, 'anonymous-person'), n(STORAGE, 'consent')]),
      );
      const echo = copies.map((c) => `${c.name}=${c.value}`).join('; ');
      const withdrawn = await call({ 'x-unblu-cookie': echo, 'x-unblu-tcf': WITHDRAWN });
      const deletions = relay(withdrawn)!
        .cookies.filter((c) => c.expires === 0)
        .map((c) => c.name);
      expect(deletions).toEqual(
        expect.arrayContaining([n(STORAGE, 'device'), n(STORAGE, 'anonymous-person')]),
      );
    });

    it('gdprApplies false: identity, nothing recorded; with GPC, none', async () => {
      const open = await identify(TCF, { 'x-unblu-tcf': '0' }).expect(200);
      expect(open.body.consent).toBe('granted');
      expect(issued(open, TCF)).toBe(true);
      expect(consentCookie(open, TCF)).toBeUndefined();
      const gpc = await identify(TCF, { 'x-unblu-tcf': '0', 'Sec-GPC': '1' }).expect(200);
      expect(gpc.body).toMatchObject({ consent: 'denied', visitorId: null });
      // An explicit TCF grant outweighs GPC.
      const explicit = await identify(TCF, { 'x-unblu-tcf': GRANTED, 'Sec-GPC': '1' }).expect(200);
      expect(explicit.body.consent).toBe('granted');
    });

    it("the CMP's euconsent-v2 cookie counts on a same-site request without the header", async () => {
      const res = await identify(TCF, { Cookie: `euconsent-v2=${GRANTED}` }).expect(200);
      expect(res.body.consent).toBe('granted');
      const no = await identify(TCF, { Cookie: `euconsent-v2=${WITHDRAWN}` }).expect(200);
      expect(no.body.consent).toBe('denied');
    });

    it.each<[string, string, boolean]>([
      [
        'vendor consented and disclosed',
        tcString({ purposes: [1, 2], vendors: [755], disclosed: [755] }),
        true,
      ],
      [
        'vendor consented, v2.2 (no disclosure segment)',
        tcString({ purposes: [1, 2], vendors: [755], policyVersion: 4 }),
        true,
      ],
      [
        'vendor not consented',
        tcString({ purposes: [1, 2], vendors: [42], disclosed: [42, 755] }),
        false,
      ],
      [
        'vendor consented, v2.3 but not disclosed',
        tcString({ purposes: [1, 2], vendors: [755], disclosed: [42] }),
        false,
      ],
      [
        'a required purpose missing',
        tcString({ purposes: [1], vendors: [755], disclosed: [755] }),
        false,
      ],
      [
        'a publisher restriction takes purpose 2 from the vendor',
        tcString({
          purposes: [1, 2],
          vendors: [755],
          disclosed: [755],
          restrictions: [[755, 2, RestrictionType.NOT_ALLOWED]],
        }),
        false,
      ],
    ])('a vendor required: %s', async (_what, string, granted) => {
      const res = await identify(VENDOR, { 'x-unblu-tcf': string }).expect(200);
      expect(res.body.consent).toBe(granted ? 'granted' : 'denied');
      expect(issued(res, VENDOR)).toBe(granted);
    });

    const junk: Array<[string, string]> = [
      ['truncated', GRANTED.slice(0, 12)],
      ['cut in the middle of the vendor section', GRANTED.slice(0, GRANTED.length - 6)],
      ['12 KiB of base64', 'C'.padEnd(12 * 1024, 'A')],
      ['of TCF v1', 'BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA'],
      ['bad base64', '!!!not-base64!!!'],
      ['another version (3)', `D${GRANTED.slice(1)}`],
      ['a trailing segment of junk', `${GRANTED}.zzzzzzzz`],
      ['the core segment with 40 extra bytes', `${GRANTED.split('.')[0]}${'_'.repeat(54)}`],
    ];
    it.each(junk)('a string %s: 200, no consent, no identity', async (_what, string) => {
      const res = await identify(TCF, { 'x-unblu-tcf': string });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ consent: 'denied', visitorId: null });
      expect(identity(res, TCF)).toEqual([undefined, undefined]);
    });

    it('non-ASCII or a bare CR in the header: an answer, no consent, nothing injected', async () => {
      await pantry.app.listen(0, '127.0.0.1');
      const port = (pantry.app.getHttpServer().address() as AddressInfo).port;
      for (const value of [`C\u00e9${GRANTED}`, `${GRANTED}\rX-Injected: 1`]) {
        const answer = await rawRequest(
          port,
          `POST /unblu/v1/identify?x-unblu-apikey=${TCF} HTTP/1.1\r\nHost: www.shop.test\r\n` +
            `x-unblu-tcf: ${value}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        );
        expect(answer.status).toBeLessThan(500);
        expect(answer.headers['set-cookie'] ?? '').not.toMatch(/anonymous-person=[^;]/);
        expect(answer.text).not.toMatch(/X-Injected/i);
      }
    });

    it('a string that does not decode withdraws a grant', async () => {
      const first = await identify(TCF, { 'x-unblu-tcf': GRANTED }).expect(200);
      const res = await identify(TCF, { Cookie: cookieHeader(first), 'x-unblu-tcf': '%%%' });
      expect(res.status).toBe(200);
      expect(deleted(res, TCF)).toBe(true);
    });

    it('a string over 16 KiB: a clear client error or no consent, never a 5xx', async () => {
      const res = await identify(TCF, { 'x-unblu-tcf': 'C'.padEnd(17 * 1024, 'A') });
      // Node refuses headers over 16 KiB itself (431); a shorter limit would answer 200 denied.
      expect([200, 431]).toContain(res.status);
      expect(setCookies(res).filter((c) => c.name.endsWith('anonymous-person'))).toEqual([]);
    });

    it('counts the strings it read, invalid ones too', async () => {
      await identify(TCF, { 'x-unblu-tcf': '!!' }).expect(200);
      const metrics = (await pantry.http().get('/metrics').expect(200)).text;
      expect(metrics).toMatch(
        /pantry_consent_signals_total\{source="TCF",outcome="invalid",account="-"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /pantry_consent_signals_total\{source="TCF",outcome="granted",account="-"\} [1-9]/,
      );
    });
  });

  describe('Google Consent Mode', () => {
    it('default denied: nothing; default granted: identity, nothing recorded; with GPC: none', async () => {
      const denied = await identify(GCM, { 'x-unblu-gcm': 'default=denied' }).expect(200);
      expect(denied.body).toMatchObject({ consent: 'denied', visitorId: null });
      expect(consentCookie(denied, GCM)).toBeUndefined();
      const granted = await identify(GCM, { 'x-unblu-gcm': 'default=granted' }).expect(200);
      expect(issued(granted, GCM)).toBe(true);
      expect(consentCookie(granted, GCM)).toBeUndefined();
      const gpc = await identify(GCM, { 'x-unblu-gcm': 'default=granted', 'Sec-GPC': '1' });
      expect(gpc.body).toMatchObject({ consent: 'denied', visitorId: null });
    });

    it('update granted: identity, recorded; a later default denied does not undo it; update denied does', async () => {
      const granted = await identify(GCM, { 'x-unblu-gcm': 'update=granted' }).expect(200);
      expect(issued(granted, GCM)).toBe(true);
      expect(consentCookie(granted, GCM)?.value).toMatch(/^gcm-granted\./);
      const jar = cookieHeader(granted);
      const next = await identify(GCM, { Cookie: jar, 'x-unblu-gcm': 'default=denied' });
      expect(next.body).toMatchObject({ consent: 'granted', visitorId: granted.body.visitorId });
      expect(await record('gcm', granted.body.visitorId)).toMatchObject({
        consentSource: 'gcm',
        consentPurposes: [],
      });
      const revoked = await identify(GCM, { Cookie: jar, 'x-unblu-gcm': 'update=denied' });
      expect(revoked.body).toMatchObject({ consent: 'denied', visitorId: null });
      expect(deleted(revoked, GCM)).toBe(true);
    });

    it.each(['granted', 'update=maybe', 'update=granted; default=denied', 'x'.repeat(4000)])(
      'a header that is not a Consent Mode state (%#) is ignored',
      async (value) => {
        const res = await identify(GCM, { 'x-unblu-gcm': value }).expect(200);
        expect(res.body).toMatchObject({ consent: 'unset', visitorId: null });
      },
    );
  });

  describe('a PANTRY account', () => {
    it('reads no CMP header: consent stays its own', async () => {
      const all: Array<Record<string, string>> = [
        { 'x-unblu-tcf': GRANTED },
        { 'x-unblu-gcm': 'update=granted' },
      ];
      for (const headers of all) {
        const res = await identify(PANTRY, headers).expect(200);
        expect(res.body).toMatchObject({ consent: 'unset', visitorId: null });
      }
    });

    it('a consent() call is recorded with its source', async () => {
      const res = await pantry
        .http()
        .post(`/unblu/v1/consent?x-unblu-apikey=${PANTRY}`)
        .send({ granted: true })
        .expect(200);
      expect(consentCookie(res, PANTRY)?.value).toMatch(/^granted\./);
      expect(await record('pantry', res.body.visitorId)).toMatchObject({
        consent: 'granted',
        consentSource: 'pantry',
      });
    });
  });

  it('preflights allow the CMP headers', async () => {
    const res = await pantry
      .http()
      .options(`/unblu/v1/identify?x-unblu-apikey=${STORAGE}`)
      .set('Origin', 'https://www.shop.test')
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    expect(res.headers['access-control-allow-headers']).toMatch(/x-unblu-tcf, x-unblu-gcm/);
  });
});

import type request from 'supertest';

type Agent = ReturnType<typeof request>;

/** identify from `origin` with the account's key, the cookies and (when given) a bridge token. */
export function identifyWith(
  api: () => Agent,
  origin: string,
  key: string,
  cookie = '',
  token?: string,
): request.Test {
  const r = api()
    .post(`/unblu/v1/identify?x-unblu-apikey=${key}`)
    .set('Origin', origin)
    .set('Cookie', cookie);
  return token === undefined ? r : r.set('x-unblu-bridge', token);
}

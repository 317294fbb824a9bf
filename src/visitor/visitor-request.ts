import type { IncomingHttpHeaders } from 'node:http';
import { publicHost, publicProtocol, single } from '../http/forwarded';
import { GOOGLE_CONSENT_HEADER, TCF_HEADER } from '../vocabulary/consent';

/**
 * The HTTP request a visitor route reads: a Fastify request is one, and so is what the visitor
 * API's own dispatcher (visitor-http.ts) builds from node's request.
 */
export interface VisitorHttpRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed query string (a repeated parameter is an array). */
  readonly query: unknown;
  readonly protocol: 'http' | 'https';
  readonly id: string;
  readonly body?: unknown;
}

/** What the visitor API reads from a request, extracted once (headers as sent). */
export interface VisitorRequest {
  readonly origin: string | undefined;
  /** The host the client asked for (X-Forwarded-Host behind a trusted proxy, else Host). */
  readonly host: string | undefined;
  /** The scheme the client used (X-Forwarded-Proto behind a trusted proxy). */
  readonly protocol: 'http' | 'https';
  readonly cookie: string | string[] | undefined;
  readonly echo: string | string[] | undefined;
  readonly gpc: boolean;
  /** A cross-domain bridge token (`<prefix>bridge`), redeemed by identify. */
  readonly bridge?: string;
  /** `Sec-Fetch-Site` (a script loaded from another site sends no Origin but says so here). */
  readonly fetchSite?: string;
  /** The CMP's signals the snippet sends (SPEC §15): `<prefix>tcf`, `<prefix>gcm`. */
  readonly tcf?: string;
  readonly gcm?: string;
}

/**
 * Reads the request; `prefix` is the server's header prefix (`x-unblu-`), `trustProxy`
 * `server.trustProxy` (whether X-Forwarded-* say where the client is).
 */
export function visitorRequest(
  request: VisitorHttpRequest,
  prefix: string,
  trustProxy: boolean,
): VisitorRequest {
  const h = request.headers;
  return {
    origin: single(h.origin),
    host: publicHost(h, trustProxy),
    protocol: publicProtocol(h, request.protocol === 'https' ? 'https' : 'http', trustProxy),
    cookie: h.cookie,
    echo: h[`${prefix}cookie`],
    gpc: single(h['sec-gpc'])?.trim() === '1',
    bridge: single(h[`${prefix}bridge`]),
    fetchSite: single(h['sec-fetch-site']),
    tcf: single(h[`${prefix}${TCF_HEADER}`]),
    gcm: single(h[`${prefix}${GOOGLE_CONSENT_HEADER}`]),
  };
}

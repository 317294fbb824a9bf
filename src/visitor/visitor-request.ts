import type { IncomingHttpHeaders } from 'node:http';

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
  readonly host: string | undefined;
  readonly protocol: 'http' | 'https';
  readonly forwardedHost: string | undefined;
  readonly forwardedProto: string | undefined;
  readonly forwardedPrefix: string | undefined;
  readonly cookie: string | string[] | undefined;
  readonly echo: string | string[] | undefined;
  readonly gpc: boolean;
  /** A cross-domain bridge token (`<prefix>bridge`), redeemed by identify. */
  readonly bridge?: string;
}

/** The first value of a header that may be repeated. */
export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the request; `prefix` is the server's header prefix (`x-unblu-`). */
export function visitorRequest(request: VisitorHttpRequest, prefix: string): VisitorRequest {
  const h = request.headers;
  return {
    origin: single(h.origin),
    host: single(h.host),
    protocol: request.protocol === 'https' ? 'https' : 'http',
    forwardedHost: single(h['x-forwarded-host'])?.split(',')[0]?.trim(),
    forwardedProto: single(h['x-forwarded-proto'])?.split(',')[0]?.trim().toLowerCase(),
    forwardedPrefix: single(h['x-forwarded-prefix']),
    cookie: h.cookie,
    echo: h[`${prefix}cookie`],
    gpc: single(h['sec-gpc'])?.trim() === '1',
    bridge: single(h[`${prefix}bridge`]),
  };
}

import type { FastifyRequest } from 'fastify';

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
export function visitorRequest(request: FastifyRequest, prefix: string): VisitorRequest {
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

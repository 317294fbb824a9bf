import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';

/**
 * The client's address: the socket's peer, or, under `server.trustProxy`, the address the
 * proxy in front of Pantry reports, the last `X-Forwarded-For` entry (entries before it were
 * written by the client or by earlier hops and prove nothing). Malformed entries are ignored.
 */
export function clientAddress(request: FastifyRequest, trustProxy: boolean): string {
  const peer = request.socket?.remoteAddress ?? request.ip;
  if (!trustProxy) return peer;
  const header = request.headers['x-forwarded-for'];
  const joined = Array.isArray(header) ? header.join(',') : (header ?? '');
  const last = joined.slice(-1024).split(',').pop()?.trim() ?? '';
  return isIP(last) ? last : peer;
}

import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

export interface HttpLimits {
  /** A request (headers and body) must arrive within this time, or it is answered 408 and closed. */
  readonly requestTimeoutMs: number;
  /** Open connections one client address may hold; 0 for no limit. */
  readonly maxConnectionsPerAddress: number;
}

/** How often Node checks requests against the timeouts (its default, 30 s, would double them). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * The HTTP server under Fastify: a request that trickles in (slowloris, a body sent a byte at
 * a time) is cut off after `requestTimeoutMs`, and one address cannot hold more than
 * `maxConnectionsPerAddress` connections open at once (the excess is closed at once).
 */
export function createLimitedServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  limits: HttpLimits,
): Server {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    handler,
  );
  server.keepAliveTimeout = 72_000;
  if (limits.maxConnectionsPerAddress > 0) {
    const open = new Map<string, number>();
    server.on('connection', (socket) => {
      const address = socket.remoteAddress ?? '';
      const count = (open.get(address) ?? 0) + 1;
      if (count > limits.maxConnectionsPerAddress) {
        socket.destroy();
        return;
      }
      open.set(address, count);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left > 0) open.set(address, left);
        else open.delete(address);
      });
    });
  }
  return server;
}

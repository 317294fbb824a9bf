import { Agent, IncomingHttpHeaders, request, Server } from 'node:http';
import { connect } from 'node:net';
import { AddressInfo } from 'node:net';
import { createLimitedServer, drainServer, listeningServers } from './http-server';

const LIMITS = { requestTimeoutMs: 30_000, maxConnectionsPerAddress: 0 };

/**
 * A server whose answers wait `delayMs` (a request in flight when closing starts); `arrived`
 * resolves when its first request reached the handler.
 */
async function serve(
  delayMs: number,
): Promise<{ server: Server; url: string; arrived: Promise<void> }> {
  let reached = () => {};
  const arrived = new Promise<void>((r) => (reached = r));
  const server = createLimitedServer((_req, res) => {
    reached();
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), delayMs);
  }, LIMITS);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, arrived };
}

const get = (url: string, agent: Agent) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; closed: Promise<void> }>(
    (resolve, reject) => {
      request(url, { agent }, (res) => {
        const closed = new Promise<void>((r) => res.socket.once('close', () => r()));
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, closed }));
      })
        .on('error', reject)
        .end();
    },
  );

describe(drainServer.name, () => {
  let server: Server;
  let agent: Agent;
  beforeEach(() => (agent = new Agent({ keepAlive: true })));
  afterEach(() => {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  });

  it('answers with keep-alive while open', async () => {
    let url;
    ({ server, url } = await serve(0));
    expect((await get(url, agent)).headers.connection).toBe('keep-alive');
  });

  it('closes an idle keep-alive connection at once', async () => {
    let url;
    ({ server, url } = await serve(0));
    const answer = await get(url, agent);
    const started = Date.now();
    expect(await drainServer(server, 5_000)).toEqual({ cut: 0 });
    await answer.closed;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('answers a request in flight with Connection: close, then the connection ends', async () => {
    let url;
    let arrived;
    ({ server, url, arrived } = await serve(300));
    const answer = get(url, agent);
    await arrived;
    const drained = drainServer(server, 5_000);
    const { status, headers, closed } = await answer;
    expect(status).toBe(200);
    expect(headers.connection).toBe('close');
    await closed;
    expect(await drained).toEqual({ cut: 0 });
  });

  it('stops accepting: a new connection is refused, and the server is no longer listed', async () => {
    let url;
    ({ server, url } = await serve(0));
    expect(listeningServers()).toContain(server);
    await drainServer(server, 5_000);
    await expect(get(url, agent)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(listeningServers()).not.toContain(server);
  });

  it('closes a request that never finishes at the deadline, and counts it', async () => {
    let url;
    ({ server, url } = await serve(0));
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const closed = new Promise((r) => socket.once('close', r));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    expect(await drainServer(server, 300)).toEqual({ cut: 1 });
    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

import { freePort } from './nginx';
import { ServerProcess, startServerProcess } from './server-process';
import { ConfigFiles, createWorkspace, TEST_ADMIN_TOKEN, TestWorkspace } from './test-app';

/** Real Pantry processes on one workspace (one database), as useFleet hands them to a suite. */
export interface Fleet {
  readonly ws: TestWorkspace;
  readonly nodes: readonly ServerProcess[];
  /** Each node's base URL, in the order of `nodes`. */
  readonly urls: readonly string[];
  /** Each node's port (fixed for the suite with `samePorts`: a restart listens there again). */
  readonly ports: readonly number[];
  /** Starts node `i` again, on its port, once it has exited; resolves when it listens. */
  restart(i: number): Promise<string>;
}

/**
 * Starts `count` real Pantry processes together on one fresh workspace for the enclosing
 * `describe` (migrations and generated secrets race, and must not conflict), and stops the ones
 * still running and removes the workspace after it. Valid inside the tests and later hooks.
 * `samePorts`: each node gets a port of its own for the suite (a load balancer's server line),
 * where restart() starts it again.
 */
export function useFleet(
  count: number,
  files: ConfigFiles,
  options: { samePorts?: boolean } = {},
): Fleet {
  const fleet: { ws?: TestWorkspace; nodes: ServerProcess[]; urls: string[]; ports: number[] } = {
    nodes: [],
    urls: [],
    ports: [],
  };
  const start = (port: number) =>
    startServerProcess({
      PANTRY_CONFIG_DIR: fleet.ws!.configDir,
      PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      PORT: String(port),
    });
  beforeAll(async () => {
    fleet.ws = createWorkspace(files);
    fleet.ports = options.samePorts
      ? await Promise.all(Array.from({ length: count }, () => freePort()))
      : Array.from({ length: count }, () => 0);
    // Known before they listen: a node that fails to start is still stopped after.
    fleet.nodes = fleet.ports.map(start);
    fleet.urls = await Promise.all(fleet.nodes.map((n) => n.listening));
    fleet.ports = fleet.urls.map((url) => Number(new URL(url).port));
  });
  afterAll(async () => {
    await Promise.all(
      fleet.nodes
        .filter((n) => n.child.exitCode === null && n.child.signalCode === null)
        .map((n) => n.stop()),
    );
    fleet.ws?.remove();
  });
  return {
    get ws() {
      return fleet.ws!;
    },
    get nodes() {
      return fleet.nodes;
    },
    get urls() {
      return fleet.urls;
    },
    get ports() {
      return fleet.ports;
    },
    restart: async (i: number) => {
      await fleet.nodes[i].exited;
      fleet.nodes[i] = start(fleet.ports[i]);
      fleet.urls[i] = await fleet.nodes[i].listening;
      return fleet.urls[i];
    },
  };
}

/** An admin API answer over real HTTP: the status and the JSON body (`{}` when empty). */
export interface AdminAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** An admin API call over real HTTP with a bearer token (by default the admin token). */
export async function adminCall(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token = TEST_ADMIN_TOKEN,
): Promise<AdminAnswer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

import { ServerProcess, startServerProcess } from './server-process';
import { ConfigFiles, createWorkspace, TEST_ADMIN_TOKEN, TestWorkspace } from './test-app';

/** Real Pantry processes on one workspace (one database), as useFleet hands them to a suite. */
export interface Fleet {
  readonly ws: TestWorkspace;
  readonly nodes: readonly ServerProcess[];
  /** Each node's base URL, in the order of `nodes`. */
  readonly urls: readonly string[];
}

/**
 * Starts `count` real Pantry processes together on one fresh workspace for the enclosing
 * `describe` (migrations and generated secrets race, and must not conflict), and stops the ones
 * still running and removes the workspace after it. Valid inside the tests and later hooks.
 */
export function useFleet(count: number, files: ConfigFiles): Fleet {
  const fleet: { ws?: TestWorkspace; nodes: ServerProcess[]; urls: string[] } = {
    nodes: [],
    urls: [],
  };
  beforeAll(async () => {
    const ws = (fleet.ws = createWorkspace(files));
    // Known before they listen: a node that fails to start is still stopped after.
    fleet.nodes = Array.from({ length: count }, () =>
      startServerProcess({ PANTRY_CONFIG_DIR: ws.configDir, PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN }),
    );
    fleet.urls = await Promise.all(fleet.nodes.map((n) => n.listening));
  });
  afterAll(async () => {
    await Promise.all(
      fleet.nodes
        .filter((n) => n.child.exitCode === null && n.child.signalCode === null)
        .map((n) => n.stop()),
    );
    fleet.ws?.remove();
  });
  return fleet as Fleet;
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

import { Injectable, Logger, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { ConfigurationService } from '../properties/configuration.service';
import { isBridgeFailure } from '../vocabulary/bridge-outcomes';
import { memoised } from '../common/memo';
import { codeFor } from './error-response';
import type { PropertyValues } from '../properties/property-catalog';
import { consoleIsLog, jsonLineHead, JsonLines } from '../logging/json-logger';

/** `server.accessLog` as a number, compared on every request: off < errors < all. */
export const enum AccessLevel {
  Off = 0,
  Errors = 1,
  All = 2,
}

const LEVELS: Record<PropertyValues['server.accessLog'], AccessLevel> = {
  off: AccessLevel.Off,
  errors: AccessLevel.Errors,
  all: AccessLevel.All,
};

/** What one answer was, as the access log says it: a machine code, and whether it failed. */
interface AccessOutcome {
  readonly outcome: string;
  /** A refusal or failure, logged at `errors` even when the status is 2xx (a failed bridge). */
  readonly failed: boolean;
}

type Fields = Readonly<Record<string, unknown>>;

/** The outcomes of answers that went well. */
const SUCCESSES = new Set(['ok', 'issued', 'refreshed', 'bridged', 'token_issued', 'not_modified']);

/**
 * The outcome of an answer from its status and body, reading only fields that are codes (`error`,
 * `bridge`, `bridged`, `issued`, `token`'s presence), never their ids: a JSON error's code; for a
 * visitor answer `issued` (a cookie issued anew), `refreshed`, `bridged` or the bridge's reason
 * (a failure, though answered 200), `token_issued` (a bridge token). `preset` is what the
 * answering code said itself.
 */
export function outcomeOf(status: number, body: unknown, preset?: string): AccessOutcome {
  // A code the answering code names is a refusal's, unless it says the answer went well: a
  // refusal answered 200 (the snippet's stand-in for an unknown key) is logged as one.
  if (preset !== undefined) {
    return { outcome: preset, failed: status >= 400 || !SUCCESSES.has(preset) };
  }
  const fields = typeof body === 'object' && body !== null ? (body as Fields) : undefined;
  if (status >= 400) {
    const code = fields?.error;
    return { outcome: typeof code === 'string' ? code : codeFor(status), failed: true };
  }
  if (status === 304) return { outcome: 'not_modified', failed: false };
  if (!fields) return { outcome: 'ok', failed: false };
  if (fields.bridged === false) {
    const reason = fields.bridge;
    return { outcome: isBridgeFailure(reason) ? reason : 'not_bridged', failed: true };
  }
  if (fields.bridged === true) return { outcome: 'bridged', failed: false };
  if (typeof fields.token === 'string') return { outcome: 'token_issued', failed: false };
  const issued = fields.issued;
  if (Array.isArray(issued)) {
    return { outcome: issued.length > 0 ? 'issued' : 'refreshed', failed: false };
  }
  return { outcome: 'ok', failed: false };
}

/** One access-log line: the request id, method, route template, status, time, account, outcome. */
export interface AccessLine {
  readonly msg: 'request';
  readonly reqId: string;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly ms: number;
  readonly account: string;
  readonly outcome: string;
}

/**
 * The JSON form of a line, in the JSON logger's shape (level, time, context, msg first), built
 * as text: a few short strings quoted, no object serialised.
 */
function jsonAccessLine(l: AccessLine, now = Date.now()): string {
  const id = PLAIN.test(l.reqId) ? `"${l.reqId}"` : JSON.stringify(l.reqId);
  return `${jsonLineHead('info', now)},"context":"AccessLog","msg":"request","reqId":${id},"method":${quoted(l.method)},"route":${quoted(l.route)},"status":${l.status},"ms":${l.ms},"account":${quoted(l.account)},"outcome":${quoted(l.outcome)}}\n`;
}

/** Request ids as Pantry keeps them (a UUID, or a well-formed X-Request-Id): nothing to escape. */
const PLAIN = /^[A-Za-z0-9._:-]*$/;
/** Methods, routes, accounts and outcomes come from small sets: each is quoted once. */
const QUOTED = new Map<string, string>();
const MAX_QUOTED = 10_000;
const quoted = (text: string) => memoised(QUOTED, text, () => JSON.stringify(text), MAX_QUOTED);

/** Lines are written in batches of about this many characters, or this often. */
const FLUSH_CHARS = 16 * 1024;
const FLUSH_MS = 200;

/** The pretty (terminal) form of a line. */
export function prettyAccessLine(l: AccessLine): string {
  return `request ${l.method} ${l.route} ${l.status} ${l.ms} ms account=${l.account} outcome=${l.outcome} reqId=${l.reqId}`;
}

/**
 * The access log (`server.accessLog`, GLOBAL: follows every validated reload). One line per
 * answered request, written through the application's logger. With JSON logs the lines are
 * built as text and handed over in batches (every 16 KiB or 200 ms, and at shutdown and exit):
 * a write per request cost a fifth of a returning visitor's throughput. Lines carry the route
 * template, never the URL (it holds API keys, tokens), and no header, cookie, id of a visitor
 * or customer, or client address. At `off` a request costs one comparison.
 */
@Injectable()
export class AccessLogService implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('AccessLog');
  private readonly subscription: Subscription;
  private readonly json: boolean;
  private buffer = '';
  private readonly timer: NodeJS.Timeout;
  private readonly onExit = () => this.flush();
  level: AccessLevel;

  constructor(configuration: ConfigurationService) {
    this.level = LEVELS[configuration.configuration.app.values['server.accessLog']];
    this.subscription = configuration.changes.subscribe((next) => {
      this.level = LEVELS[next.app.values['server.accessLog']];
    });
    this.json = consoleIsLog(configuration.startup);
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
    process.on('exit', this.onExit);
  }

  /** Hands the lines written so far to the logger. */
  flush(): void {
    if (this.buffer === '') return;
    const text = this.buffer;
    this.buffer = '';
    this.logger.log(new JsonLines(text));
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
    this.flush();
  }

  /** After the server closed: the last answers' lines. */
  onApplicationShutdown(): void {
    clearInterval(this.timer);
    process.off('exit', this.onExit);
    this.flush();
  }

  /**
   * Logs one answered request when the level wants it. `started` is the `performance.now()` the
   * request arrived at; `accountOf` names the request's account, asked only for lines written.
   */
  answered<R extends { readonly id: string; readonly method: string }>(
    request: R,
    route: string,
    status: number,
    started: number,
    body: unknown,
    preset: string | undefined,
    accountOf?: (request: R) => string | undefined,
  ): void {
    if (this.level === AccessLevel.Off) return;
    const { outcome, failed } = outcomeOf(status, body, preset);
    if (this.level === AccessLevel.Errors && !failed) return;
    this.write({
      msg: 'request',
      reqId: request.id,
      method: request.method,
      route,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      account: accountOf?.(request) ?? '-',
      outcome,
    });
  }

  private write(line: AccessLine): void {
    if (!this.json) {
      this.logger.log(prettyAccessLine(line));
      return;
    }
    this.buffer += jsonAccessLine(line);
    if (this.buffer.length >= FLUSH_CHARS) this.flush();
  }
}

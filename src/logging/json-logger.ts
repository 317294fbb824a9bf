import { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';
import type { PropertyValues } from '../properties/property-catalog';
import { currentRequestId } from './request-context';

/** Whether the console is a JSON log (server.logFormat json, or auto off a terminal). */
export function consoleIsLog(values: Pick<PropertyValues, 'server.logFormat'>): boolean {
  const format = values['server.logFormat'];
  return format === 'json' || (format === 'auto' && !process.stdout.isTTY);
}

/**
 * An error that stops the start and is the one line an operator reads: main.ts prints it, so
 * Nest's exception handler does not repeat it, and it carries no stack trace.
 */
export class StartupFailure extends Error {
  constructor(message: string) {
    super(message);
    // Not enumerable: a pretty logger prints the message alone, not `{ name: … }` after it.
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false });
    this.stack = message;
  }
}

/**
 * Lines already written as JSON, one per line, in the logger's own shape (the access log's,
 * batched): the JSON logger writes them to its destination as they are; any other logger prints
 * their text.
 */
export class JsonLines {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

let lastMs = -1;
let lastTime = '';

/**
 * A line's leading fields as pino writes them (level, then the ISO time); the time's text is
 * reused within a millisecond (a busy access log writes dozens of lines in one).
 */
export function jsonLineHead(level: 'info' | 'warn' | 'error', now = Date.now()): string {
  if (now !== lastMs) {
    lastMs = now;
    lastTime = new Date(now).toISOString();
  }
  return `{"level":"${level}","time":"${lastTime}"`;
}

type Level = 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal';

/**
 * Nest's logger as one JSON object per line (pino): time, level, context, message, and the
 * request id when the line is written while answering a request. What callers log is what
 * Pantry's code writes: never a secret, cookie value, token, assertion, customer or visitor id.
 */
export class JsonLogger implements LoggerService {
  private readonly pino: Pino;

  constructor(private readonly destination: NodeJS.WritableStream = process.stdout) {
    this.pino = pino(
      {
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        level: 'info',
      },
      destination,
    );
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    if (context === 'ExceptionHandler' && message instanceof StartupFailure) return;
    if (message instanceof JsonLines) {
      this.destination.write(message.text);
      return;
    }
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    const requestId = currentRequestId();
    if (requestId) fields.reqId = requestId;
    if (level === 'error' && typeof rest[0] === 'string' && rest[0].includes('\n    at ')) {
      fields.stack = rest[0];
    }
    this.pino[level](fields, message instanceof Error ? message.message : String(message));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
}

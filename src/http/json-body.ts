import { errorCodes, FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { ErrorCode, PantryError } from '../common/errors';

/** Request bodies nest at most this deep; Pantry's own bodies are one level. */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests objects or arrays more than `max` levels deep (iterative: no recursion). */
function exceedsDepth(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** JSON text → value, throwing Fastify's client errors or a PantryError (`bad_request`). */
export type JsonTextParser = (text: string) => unknown;

/**
 * The one JSON parser of every route (admin and visitor alike): Fastify's own, which refuses
 * `__proto__` and `constructor` poisoning, then a depth bound, because class-transformer and
 * class-validator recurse and a body of thousands of nested arrays would overflow the stack
 * (a 500) before validation could refuse it. Too deep → 400.
 */
export function jsonTextParser(fastify: FastifyInstance): JsonTextParser {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (text) => {
    const out: { error: Error | null; value: unknown } = { error: null, value: undefined };
    // Fastify's default parser answers synchronously.
    void parse(undefined as never, text, (error, parsed) => {
      out.error = error ?? null;
      out.value = parsed;
    });
    const { error, value } = out;
    if (error) throw error;
    if (exceedsDepth(value, MAX_JSON_DEPTH)) {
      throw new PantryError(
        ErrorCode.BadRequest,
        `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`,
      );
    }
    return value;
  };
}

/** Registers jsonTextParser as Fastify's `application/json` parser. */
export function registerJsonParser(fastify: FastifyInstance): void {
  const parse = jsonTextParser(fastify);
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: fastify.initialConfig.bodyLimit },
    (_request, body, done) => {
      let value: unknown;
      try {
        value = parse(body as string);
      } catch (error) {
        return done(error as Error, undefined);
      }
      done(null, value);
    },
  );
}

/** True when the request's `Content-Type` is `application/json` (parameters aside). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semicolon = header.indexOf(';');
  const type = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  return type === 'application/json';
}

/**
 * Reads a request's body (at most `limit` bytes, and exactly its `Content-Length` when it
 * declares one) and parses it as JSON, with the errors Fastify gives for the same faults
 * (413 too large, 400 a length that does not match, malformed or too deep). `done` is called
 * once: with the value, or with the error. A callback rather than a promise: this is on the
 * visitor API's consent and login calls, and the bytes are decoded once, at the end.
 */
export function readJsonBody(
  req: IncomingMessage,
  limit: number,
  parse: JsonTextParser,
  done: (error: Error | null, value?: unknown) => void,
): void {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const stop = () => {
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onError);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) {
      stop();
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    chunks.push(chunk);
  };
  const onError = (error: Error) => {
    stop();
    done(new PantryError(ErrorCode.BadRequest, error.message));
  };
  const onEnd = () => {
    stop();
    if (!Number.isNaN(declared) && received !== declared) {
      done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      return;
    }
    let value: unknown;
    try {
      // Decoded whole: a character split between two chunks is read right.
      value = parse((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8'));
    } catch (error) {
      // parse throws Error objects (with their status); anything else is wrapped.
      done(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    done(null, value);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
}

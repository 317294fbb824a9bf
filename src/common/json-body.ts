import type { FastifyInstance } from 'fastify';

/** Request bodies nest at most this deep; Pantry's own bodies are one level. */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests objects or arrays more than `max` levels deep (iterative: no recursion). */
export function exceedsDepth(value: unknown, max: number): boolean {
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

/**
 * The one JSON body parser of every route (admin and visitor alike): Fastify's own, which
 * refuses `__proto__` and `constructor` poisoning, then a depth bound, because class-transformer
 * and class-validator recurse and a body of thousands of nested arrays would overflow the stack
 * (a 500) before validation could refuse it. Too deep → 400.
 */
export function registerJsonParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: fastify.initialConfig.bodyLimit },
    (request, body, done) => {
      void parse(request, body as string, (error, value) => {
        if (error) return done(error, undefined);
        if (exceedsDepth(value, MAX_JSON_DEPTH)) {
          const tooDeep = Object.assign(
            new Error(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`),
            { statusCode: 400 },
          );
          return done(tooDeep, undefined);
        }
        done(null, value);
      });
    },
  );
}

/**
 * The pure parts of document mode: which responses are documents, what their Cache-Control
 * becomes, and which upstream cookies give way to Pantry's.
 */

/** An HTML page answered to a GET: the response that carries Pantry's cookies. */
export function isDocument(
  method: string,
  status: number,
  contentType: string | string[] | undefined,
): boolean {
  const type = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
  return (
    method === 'GET' &&
    status >= 200 &&
    status < 300 &&
    type.split(';')[0].trim().toLowerCase() === 'text/html'
  );
}

/**
 * A document that sets cookies must not be kept by shared caches (a CDN would hand one
 * visitor's cookies to the next): `private`, unless the upstream already said `no-store`;
 * `public` and `s-maxage` give way, the upstream's other directives stay.
 */
export function documentCacheControl(upstream: string | undefined): string {
  const directives = (upstream ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (directives.some((d) => d.toLowerCase() === 'no-store')) return directives.join(', ');
  const kept = directives.filter((d) => !/^(public|private|s-maxage=.*)$/i.test(d));
  return ['private', ...kept].join(', ');
}

/** The upstream's Set-Cookie lines without those named like Pantry's own cookies. */
export function withoutCookies(
  lines: string | string[] | undefined,
  names: ReadonlySet<string>,
): string[] {
  const all = lines === undefined ? [] : Array.isArray(lines) ? lines : [lines];
  return all.filter((line) => !names.has(line.slice(0, line.indexOf('=')).trim()));
}

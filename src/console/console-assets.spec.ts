import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildConsole, CONSOLE_FILES, consoleAssets } from './console-assets';

const UI = join(__dirname, 'ui');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : /\.tsx?$/.test(e.name) && !e.name.endsWith('.spec.ts')
        ? [join(dir, e.name)]
        : [],
  );

describe('the console’s assets', () => {
  const built = buildConsole();

  it('serves exactly the page, its script and its stylesheet, with their types', () => {
    const assets = consoleAssets();
    expect([...assets.keys()].sort()).toEqual(Object.keys(CONSOLE_FILES).sort());
    expect(assets.get('app.js')?.type).toMatch(/^text\/javascript/);
    expect(assets.get('app.css')?.type).toMatch(/^text\/css/);
    expect(assets.get('index.html')?.type).toMatch(/^text\/html/);
  });

  it('has a page with nothing inline for the CSP to refuse', () => {
    const html = built['index.html'];
    expect(html).toContain('<script src="/admin/app.js" defer></script>');
    expect(html).toContain('<link rel="stylesheet" href="/admin/app.css" />');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)|<style|\sstyle=|\son\w+=/i);
  });

  // Nothing is fetched from elsewhere: the CSP allows only 'self', and the browser suite counts
  // its violations (none).
  it('stays small: under 16 KiB of script gzipped, a stylesheet that loads nothing', () => {
    expect(gzipSync(built['app.js']).length).toBeLessThan(16 * 1024);
    expect(built['app.css']).not.toMatch(/@import|url\(/);
  });

  // Data is rendered as text and no token is kept where a script could read it again.
  it.each(sources(UI).map((f) => [f.slice(UI.length + 1), f]))(
    '%s sets no HTML, no inline style, no storage',
    (_name, file) => {
      const code = readFileSync(file, 'utf8');
      expect(code).not.toMatch(
        /dangerouslySetInnerHTML|innerHTML|outerHTML|insertAdjacentHTML|document\.write|localStorage|sessionStorage|document\.cookie|\sstyle=/,
      );
    },
  );
});

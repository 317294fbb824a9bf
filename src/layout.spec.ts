import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The README's "Layout" drawing, the layers `npm run lint` enforces (.dependency-cruiser.js) and
// the folders under src/ are one picture: a folder added, moved or left out of a layer fails here.

const ROOT = join(__dirname, '..');

interface Rule {
  readonly name: string;
  readonly from: { readonly path: string };
  readonly to: { readonly path?: string };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require(join(ROOT, '.dependency-cruiser.js')) as { forbidden: Rule[] };

const folders = (pattern: string): string[] => {
  const m = /^\^src\/\(([^)]+)\)\/$/.exec(pattern);
  if (!m) throw new Error(`not a folder pattern: ${pattern}`);
  return m[1].split('|');
};

/** The enforced layers, bottom first: each layer rule names its folders; the last names the top. */
function enforcedLayers(): string[][] {
  const rules = config.forbidden.filter((r) => r.name.startsWith('layer-'));
  const layers = rules.map((r) => folders(r.from.path));
  const above = folders(rules[rules.length - 1].to.path!);
  return [...layers, above];
}

/** The README's drawing, bottom first (it is drawn top to bottom). */
function drawnLayers(): string[][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('- **Layout.**'));
  const block = /```\n([\s\S]*?)\n\s*```/.exec(section);
  if (!block) throw new Error('README.md: the Layout section has no drawing');
  return block[1]
    .split('\n')
    .map((line) => line.split('—')[0].trim())
    .filter((line) => line !== '')
    .map((line) => line.split(',').map((name) => name.trim()))
    .reverse();
}

describe('layout', () => {
  it('the README draws the layers the lint enforces', () => {
    expect(drawnLayers()).toEqual(enforcedLayers());
  });

  it('places every folder under src/ in exactly one layer', () => {
    const placed = enforcedLayers().flat();
    const present = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect([...placed].sort()).toEqual([...present].sort());
    expect(new Set(placed).size).toBe(placed.length);
  });

  it('keeps services small and global modules few', () => {
    const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' });
    const text = (f: string) => readFileSync(join(ROOT, 'src', f), 'utf8');
    const long = files
      .filter((f) => f.endsWith('.service.ts'))
      .filter((f) => text(f).split('\n').length > 350);
    expect(long).toEqual([]);
    const global = files.filter((f) => f.endsWith('.module.ts') && /@Global\(\)/.test(text(f)));
    expect(global.sort()).toEqual(['http/access-log.module.ts', 'properties/properties.module.ts']);
  });
});

import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One file of the console, as /admin/ serves it. */
export interface ConsoleAsset {
  readonly type: string;
  readonly body: string | Buffer;
}

const SOURCE_DIR = join(__dirname, '..', '..', 'src', 'console');
/** Where `npm run build` writes the console: dist/console/. */
const BUILT_DIR = __dirname;

/** The files, by the name they are served under (/admin/<name>; `index.html` is /admin/). */
export const CONSOLE_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
} as const;

/** Bundles the UI (Preact, JSX) into one minified script and minifies the stylesheet. */
export function buildConsole(sourceDir = SOURCE_DIR): Record<keyof typeof CONSOLE_FILES, string> {
  const result = buildSync({
    entryPoints: [join(sourceDir, 'ui', 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const css = buildSync({
    entryPoints: [join(sourceDir, 'app.css')],
    bundle: true,
    minify: true,
    write: false,
    legalComments: 'none',
  });
  return {
    'index.html': readFileSync(join(sourceDir, 'index.html'), 'utf8'),
    'app.js': result.outputFiles[0].text,
    'app.css': css.outputFiles[0].text,
  };
}

function load(): Record<keyof typeof CONSOLE_FILES, string> {
  const built = __filename.endsWith('.js') && existsSync(join(BUILT_DIR, 'app.js'));
  if (!built) return buildConsole();
  const read = (name: string) => readFileSync(join(BUILT_DIR, name), 'utf8');
  return { 'index.html': read('index.html'), 'app.js': read('app.js'), 'app.css': read('app.css') };
}

let assets: ReadonlyMap<string, ConsoleAsset> | undefined;

/**
 * The console's files by name: the prebuilt ones in dist/console/, or a fresh bundle under
 * ts-node and Jest (as loadSnippetBundle does). Built once per process.
 */
export function consoleAssets(): ReadonlyMap<string, ConsoleAsset> {
  assets ??= new Map(
    Object.entries(load()).map(([name, body]) => [
      name,
      { type: CONSOLE_FILES[name as keyof typeof CONSOLE_FILES], body },
    ]),
  );
  return assets;
}

if (require.main === module) {
  mkdirSync(BUILT_DIR, { recursive: true });
  for (const [name, body] of Object.entries(buildConsole())) {
    writeFileSync(join(BUILT_DIR, name), body);
  }
  process.stdout.write(`wrote ${BUILT_DIR}/{${Object.keys(CONSOLE_FILES).join(',')}}\n`);
}

import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SNIPPET_CONFIG_PLACEHOLDER } from './snippet-config';

const SOURCE = join(__dirname, '..', '..', 'src', 'snippet', 'visitor-snippet.ts');
/** Where `npm run build` writes the bundle: dist/snippet/visitor.js. */
const BUNDLE_PATH = join(__dirname, 'visitor.js');

/** Bundles and minifies the snippet (esbuild, ES2018 for the browsers sites still see). */
export function bundleSnippet(
  source = existsSync(SOURCE) ? SOURCE : join(__dirname, 'visitor-snippet.ts'),
): string {
  const result = buildSync({
    entryPoints: [source],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2018',
    write: false,
    legalComments: 'none',
  });
  const code = result.outputFiles[0].text;
  if (code.split(SNIPPET_CONFIG_PLACEHOLDER).length !== 2) {
    throw new Error(`the snippet bundle must contain ${SNIPPET_CONFIG_PLACEHOLDER} exactly once`);
  }
  return code;
}

/** The prebuilt bundle when there is one (dist), else a fresh bundle (ts-node, tests). */
export function loadSnippetBundle(): string {
  return existsSync(BUNDLE_PATH) && __filename.endsWith('.js')
    ? readFileSync(BUNDLE_PATH, 'utf8')
    : bundleSnippet();
}

if (require.main === module) {
  mkdirSync(dirname(BUNDLE_PATH), { recursive: true });
  writeFileSync(BUNDLE_PATH, bundleSnippet());
  process.stdout.write(`wrote ${BUNDLE_PATH}\n`);
}

/**
 * The pages of the CMP suite (SPEC §15): README "Consent from your CMP" blocks
 * (the page is made of them, so what the README shows is what the test runs), the IAB Tech
 * Lab's CMP API bundled for the page (its TC strings: test/helpers/tcf.ts).
 */
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { sectionBlocks } from './readme-blocks';

const ROOT = join(__dirname, '..', '..');
const SECTION = 'Consent from your CMP';

export const SOURCES = ['TCF', 'GOOGLE_CONSENT_MODE'] as const;
export type Source = (typeof SOURCES)[number];

export interface CmpBlocks {
  /** The ```properties block of each source (its account file, header comment first). */
  readonly properties: Record<Source, string>;
  /** The ```html block of each source: the page's scripts in their order. */
  readonly html: Record<Source, string>;
}

/** The blocks under README's "Consent from your CMP", by source; every block must be one. */
export function cmpBlocks(readme?: string): CmpBlocks {
  const found = { properties: {}, html: {} } as Record<
    keyof CmpBlocks,
    Partial<Record<Source, string>>
  >;
  for (const { lang, text } of sectionBlocks(SECTION, readme)) {
    const source: Source | undefined =
      lang === 'properties'
        ? (/^consent\.source = (TCF|GOOGLE_CONSENT_MODE)$/m.exec(text)?.[1] as Source | undefined)
        : text.includes('__tcfapi')
          ? 'TCF'
          : text.includes('dataLayer')
            ? 'GOOGLE_CONSENT_MODE'
            : undefined;
    if ((lang !== 'properties' && lang !== 'html') || !source || found[lang][source]) {
      throw new Error(`README "${SECTION}": a block for no source (or a second one):\n${text}`);
    }
    found[lang][source] = text;
  }
  for (const lang of ['properties', 'html'] as const) {
    const missing = SOURCES.filter((s) => !found[lang][s]);
    if (missing.length)
      throw new Error(`README "${SECTION}" lacks ${lang} for ${missing.join(', ')}`);
  }
  return found as unknown as CmpBlocks;
}

/** README's example CMP script: the suite serves the IAB's CMP API under this path instead. */
export const README_CMP = 'https://cmp.example.com/cmp.js';
export const CMP_PATH = '/js/cmp.js';

/**
 * The CMP of the suite's pages: `@iabtechlabtcf/cmpapi` (what real CMPs build on), which takes
 * over the stub's queue as it loads; `window.cmp.update(tcString | null, uiShown)` is the CMP
 * answering (`null`: GDPR does not apply), driven by the test.
 */
export function cmpScript(): string {
  return buildSync({
    stdin: {
      contents:
        "import { CmpApi } from '@iabtechlabtcf/cmpapi'; window.cmp = new CmpApi(10, 1, true);",
      resolveDir: ROOT,
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    minify: true,
    write: false,
    logLevel: 'silent',
  }).outputFiles[0].text;
}

/** A page of the README's html block, its example hosts replaced by the test's. */
export function cmpPage(
  blocks: CmpBlocks,
  source: Source,
  key: string,
  pantryOrigin: string,
  edit: (html: string) => string = (h) => h,
): string {
  const body = edit(
    blocks.html[source]
      .replaceAll('shop-key-0001', key)
      .replaceAll('https://cookies.shop.com', pantryOrigin)
      .replaceAll(README_CMP, CMP_PATH),
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>shop</title></head>
<body><h1>Shop</h1>
${body}
<script>window.addEventListener('DOMContentLoaded', function () { window.hostOk = true; });</script>
</body></html>`;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README's one fenced block of `lang` (whose text matches `containing`, when given), as an
 * operator copies it, without its last newline; fails unless there is exactly one, so a suite
 * never runs something other than what the README shows.
 */
export function readmeBlock(
  lang: string,
  containing?: RegExp,
  readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8'),
): string {
  const blocks = [...readme.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))]
    .map((m) => m[1].replace(/\n$/, ''))
    .filter((text) => containing === undefined || containing.test(text));
  if (blocks.length !== 1) {
    const which = containing ? ` with ${containing.source}` : '';
    throw new Error(`README.md has ${blocks.length} \`\`\`${lang} blocks${which}, not one`);
  }
  return blocks[0];
}

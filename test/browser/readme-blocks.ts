import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A fenced block of the README: its fence's language and its text. */
export interface FencedBlock {
  readonly lang: string;
  readonly text: string;
}

/**
 * The fenced blocks under one README heading (`## section` to `####`), up to the next heading
 * of its level or above: the browser suites build their pages of them, so what the README
 * shows is what they run.
 */
export function sectionBlocks(
  section: string,
  readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8'),
): FencedBlock[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^#{2,4} ${section}$`).test(l));
  if (start < 0) throw new Error(`README has no "${section}" section`);
  const level = /^#+/.exec(lines[start])![0].length;
  const blocks: FencedBlock[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const heading = /^(#+) /.exec(lines[i]);
    if (heading && heading[1].length <= level) break;
    const fence = /^```(\S*)$/.exec(lines[i]);
    if (!fence) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]);
    blocks.push({ lang: fence[1], text: body.join('\n') });
  }
  return blocks;
}

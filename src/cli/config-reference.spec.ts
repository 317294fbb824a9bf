import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference, withConfigReference } from './config-reference';
import { PROPERTY_CATALOG } from '../properties/property-catalog';

describe('configuration reference', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('in README.md matches the property catalog (run `npm run docs:config`)', () => {
    expect(withConfigReference(readme)).toBe(readme);
  });

  it('documents every catalog key once', () => {
    const table = renderConfigReference();
    for (const { key } of PROPERTY_CATALOG) {
      expect(table.split('\n').filter((l) => l.startsWith(`| \`${key}\` |`))).toHaveLength(1);
    }
  });
});

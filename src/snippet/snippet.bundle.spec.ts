import { gzipSync } from 'node:zlib';
import { SNIPPET_CONFIG_PLACEHOLDER } from './snippet-config';
import { bundleSnippet } from './snippet.bundle';

describe(bundleSnippet.name, () => {
  const code = bundleSnippet();

  it('is at most 4 KiB gzipped', () => {
    expect(gzipSync(code, { level: 9 }).length).toBeLessThanOrEqual(4096);
  });

  it('holds the config placeholder exactly once and no source maps or comments', () => {
    expect(code.split(SNIPPET_CONFIG_PLACEHOLDER)).toHaveLength(2);
    expect(code).not.toContain('sourceMappingURL');
    expect(code).not.toMatch(/\/\*[^!]/);
  });

  it('is an IIFE that leaks nothing but window.pantry', () => {
    expect(code.startsWith('"use strict";(()=>{')).toBe(true);
    expect(code).toContain('.pantry=');
  });
});

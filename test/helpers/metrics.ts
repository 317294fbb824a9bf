/**
 * Pantry's own metric series in a `/metrics` text: one per sample line, without prom-client's
 * process and Node.js defaults (`pantry_process_*`, `pantry_nodejs_*`), which come and go on
 * their own (a GC kind's first run adds its histogram; active handles are listed by type).
 */
export function ownSeries(metricsText: string): string[] {
  return metricsText
    .split('\n')
    .filter((l) => l.startsWith('pantry_') && !/^pantry_(process|nodejs)_/.test(l));
}

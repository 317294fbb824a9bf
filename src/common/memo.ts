/**
 * Looks `key` up in `memo`, computing and storing the value on a miss. The map is cleared when
 * it reaches `max` entries: the inputs memoised on the request path (hosts, origins, attribute
 * combinations) repeat, and a flood of new ones cannot grow it without bound.
 */
export function memoised<V>(memo: Map<string, V>, key: string, compute: () => V, max = 512): V {
  let value = memo.get(key);
  if (value === undefined) {
    value = compute();
    if (memo.size >= max) memo.clear();
    memo.set(key, value);
  }
  return value;
}

declare module 'parse-prometheus-text-format' {
  /** Parses the Prometheus text exposition format into metric families. */
  function parse(text: string): unknown[];
  export = parse;
}

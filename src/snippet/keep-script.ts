import { KEEP_GLOBAL } from './snippet-config';

/** A value as a JavaScript literal that cannot close a script element or break a line. */
export const scriptLiteral = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * `GET …/v1/keep.js` (SPEC §14): the identify answer its response decided, for the snippet
 * loaded later on the page to take instead of calling identify itself (the page's one Pantry
 * call). `prefix` is the server's header prefix, `key` the account's API key (the snippet takes
 * only its own account's answer).
 */
export function keepScript(prefix: string, key: string, answer: unknown): string {
  return `window[${scriptLiteral(prefix + KEEP_GLOBAL)}]=${scriptLiteral({ k: key, a: answer })};\n`;
}

/**
 * keep.js for a request it refuses (no such key, a refused origin): nothing is set and nothing
 * defined (the snippet then calls identify and reports the error itself); one console warning.
 */
export function keepRefusal(code: string, message: string): string {
  return `try{console.warn(${scriptLiteral(`Pantry: ${message} (${code})`)})}catch(x){}\n`;
}

import { scriptLiteral as literal } from './keep-script';
import { PANTRY_FUNCTIONS } from './snippet-config';

/**
 * The script served instead of the snippet when the request names no account (SPEC §13): it
 * defines `window.pantry` as the snippet would, with `ready` and every function rejecting with
 * an Error carrying Pantry's `code` and `message`, and warns once on the console. Each rejected
 * Promise has a no-op handler attached, so a page that never awaits one sees no unhandled
 * rejection; whoever awaits it still gets the error. ES5, nothing else on the page touched.
 * `code` and `message` are Pantry's own texts: nothing from the request is written into it.
 */
export function snippetStandIn(code: string, message: string): string {
  const functions = PANTRY_FUNCTIONS.map((f) => `${f}:f`).join(',');
  return (
    `(function(){var c=${literal(code)},m=${literal(message)},w=window;` +
    'var f=function(){var e=new Error(m);e.code=c;var p=Promise.reject(e);p["catch"](function(){});return p};' +
    'try{console.warn("Pantry: "+m+" ("+c+")")}catch(x){}' +
    'w.pantry={visitorId:null,deviceId:null,consentState:null,mode:null,' +
    `ready:f(),copies:function(){return[]},${functions}};})();\n`
  );
}

/**
 * What the operator console's pages are served with (SPEC §17): a strict Content-Security-Policy
 * (everything from Pantry itself, no inline script or style, no framing, no foreign form
 * targets), no MIME sniffing, no referrer, never cached. The console's own assets, when they come,
 * are served with the same headers.
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * The console's page until its interface is built: static, no script, no style of its own. It
 * says how to sign in and where the API is documented.
 */
export const CONSOLE_PLACEHOLDER = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pantry operator console</title>
</head>
<body>
<main>
<h1>Pantry operator console</h1>
<p>The console's pages are not built yet. Its server side is in place: sign in with
<code>POST /admin/v1/session</code> and the admin token or an account credential, and every
admin API route answers with the session cookie.</p>
<p><a href="/admin/docs">The admin API's documentation</a></p>
</main>
</body>
</html>
`;

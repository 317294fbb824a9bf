/**
 * The embed code of an account for each deployment mode (README "Deployment: cookies the
 * browsers keep"): where the page loads the snippet from, and keep.js first when the cookie
 * keeper keeps analytics ids (not in document and edge mode, where the document's own response
 * sets them, SPEC §14). Pure; the account page renders it as text.
 */

export const DEPLOYMENT_MODES = [
  'same-origin',
  'document',
  'edge',
  'subdomain',
  'cross-site',
] as const;
export type DeploymentMode = (typeof DEPLOYMENT_MODES)[number];

export const MODE_LABELS: Record<DeploymentMode, string> = {
  'same-origin': 'Same-origin path (the site’s proxy forwards /pantry/unblu/)',
  document: 'Document mode (Pantry in front of the site)',
  edge: 'Edge mode (the site’s nginx asks Pantry for the cookies)',
  subdomain: 'Subdomain (Pantry at cookies.<site>)',
  'cross-site': 'Cross-site (Pantry on its own domain)',
};

export interface EmbedInput {
  readonly mode: DeploymentMode;
  readonly apiKey: string;
  /** server.publicPathPrefix, e.g. `/unblu`. */
  readonly prefix: string;
  /** Where pages reach Pantry in the subdomain and cross-site modes, e.g. https://cookies.shop.com. */
  readonly server: string;
  /** Whether keeper.cookies names any tool: keep.js then loads before the analytics SDKs. */
  readonly keeper: boolean;
}

/** The site's path to Pantry's visitor API for a mode (`''` origin for the page's own). */
function base(input: EmbedInput): string {
  const prefix = `/${input.prefix.replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  switch (input.mode) {
    case 'same-origin':
    case 'edge':
      return `/pantry${prefix}`;
    case 'document':
      return prefix;
    default:
      return `${input.server.trim().replace(/\/+$/, '') || 'https://cookies.example.com'}${prefix}`;
  }
}

export function embedCode(input: EmbedInput): string {
  const key = encodeURIComponent(input.apiKey);
  const at = base(input);
  const lines = [];
  if (input.keeper && (input.mode === 'document' || input.mode === 'edge')) {
    // The document itself carries the kept ids (set by Pantry, or copied by nginx).
    lines.push(
      `<!-- ${input.mode} mode: the page’s own response puts the kept analytics ids back -->`,
    );
  } else if (input.keeper) {
    lines.push(
      '<!-- first, before the analytics SDKs: puts their kept ids back -->',
      `<script src="${at}/v1/keep.js?x-unblu-apikey=${key}"></script>`,
    );
  }
  lines.push(`<script src="${at}/visitor.js?x-unblu-apikey=${key}" defer></script>`);
  return lines.join('\n');
}

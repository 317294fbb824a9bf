import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CookiePlanService } from '../cookies/cookie-plan.service';
import { AccountPropertiesService } from '../properties/account-properties.service';
import { SNIPPET_CONFIG_PLACEHOLDER, SnippetConfig } from '../snippet/snippet-config';
import { loadSnippetBundle } from '../snippet/snippet.bundle';
import { VisitorAccount } from './visitor-context';
import { VisitorResponse } from './visitor.service';

interface Rendered {
  readonly body: string;
  readonly etag: string;
  readonly version: number;
}

/** Browsers and CDNs may keep the snippet this long before revalidating with the ETag. */
const MAX_AGE_SECONDS = 300;

/** Serves the bundled snippet with an account's settings baked in, cached per API key. */
@Injectable()
export class SnippetService {
  private readonly bundle = loadSnippetBundle();
  private readonly cache = new Map<string, Rendered>();

  constructor(
    private readonly plans: CookiePlanService,
    private readonly properties: AccountPropertiesService,
  ) {}

  private render(account: VisitorAccount): Rendered {
    const version = this.properties.version;
    const cached = this.cache.get(account.apiKey);
    if (cached && cached.version === version) return cached;
    const config: SnippetConfig = {
      k: account.apiKey,
      m: account.plan.mode,
      p: this.plans.serverPrefix,
      f: this.properties.forAccount(account.accountId).values['snippet.refreshSeconds'],
    };
    const json = JSON.stringify(config).replace(/</g, '\\u003c');
    const body = this.bundle.replace(SNIPPET_CONFIG_PLACEHOLDER, () => json);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const rendered = { body, etag, version };
    this.cache.set(account.apiKey, rendered);
    return rendered;
  }

  /** 200 with the script, or 304 when the client's copy is current. */
  serve(account: VisitorAccount, ifNoneMatch: string | undefined): VisitorResponse<string> {
    const { body, etag } = this.render(account);
    const headers = {
      etag,
      'cache-control': `public, max-age=${MAX_AGE_SECONDS}`,
      'content-type': 'text/javascript; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'cross-origin',
    };
    const matches = ifNoneMatch?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
    return matches ? { status: 304, headers } : { status: 200, headers, body };
  }
}

import { Injectable } from '@nestjs/common';
import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ResolvedHost } from './durability';

/** CNAME hops followed before giving up (a loop, or a chain no browser would follow). */
const MAX_CNAME_HOPS = 8;
const DNS_TIMEOUT_MS = 3_000;

/**
 * Resolves a host as a browser would reach it: IP literals as they are; names through their
 * CNAME chain (DNS), and their addresses (A and AAAA, through the system resolver). Injectable so the diagnosis can be tested on tables.
 */
@Injectable()
export class HostResolver {
  private readonly dns = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: 2 });

  async resolve(rawHost: string): Promise<ResolvedHost> {
    const host = rawHost.replace(/^\[|\]$/g, '').toLowerCase();
    if (isIP(host)) return { host, cnames: [], addresses: [host], failed: false };
    const cnames: string[] = [];
    let name = host;
    for (let i = 0; i < MAX_CNAME_HOPS; i++) {
      const target = (await this.dns.resolveCname(name).catch(() => [] as string[]))[0];
      if (!target) break;
      cnames.push(target.toLowerCase());
      name = target;
    }
    // Addresses as the system resolver gives them (hosts file included), as a browser sees them.
    const found = await lookup(host, { all: true, verbatim: true }).catch(() => []);
    const addresses = [...new Set(found.map((a) => a.address))];
    return { host, cnames, addresses, failed: addresses.length === 0 };
  }
}

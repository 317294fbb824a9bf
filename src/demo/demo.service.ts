import { Injectable } from '@nestjs/common';
import { TenantService } from '../tenants/tenant.service';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, PantryError } from '../common/errors';
import { normalizeHost } from '../cookies/cookie-domain';
import { ConfigurationService } from '../properties/configuration.service';
import { renderDemoPage } from './demo-page';

const DEMO_ACCOUNT = 'demo';

@Injectable()
export class DemoService {
  constructor(
    private readonly tenants: TenantService,
    private readonly configuration: ConfigurationService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** With `server.adminPort` the page is on the operator listener; the visitor API is not. */
  private visitorPort(pagePort: string): string {
    if (this.configuration.startup['server.adminPort'] === null) return pagePort;
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    const address = server?.address() as AddressInfo | null | undefined;
    return address ? String(address.port) : pagePort;
  }

  /**
   * The page is served from the host the browser used; the snippet from the other loopback
   * name (localhost ↔ 127.0.0.1), so the demo runs cross-site on one server.
   */
  page(hostHeader: string | undefined): string {
    const account = this.tenants.account(DEMO_ACCOUNT);
    const apiKey = account?.apiKeys[0]?.key;
    const host = normalizeHost(hostHeader);
    const port = /:(\d{1,5})$/.exec(hostHeader ?? '')?.[1];
    if (!apiKey || !host || !port) {
      throw new PantryError(
        ErrorCode.NotFound,
        'No demo here: configure an account "demo" with an API key and open http://localhost:PORT/.',
      );
    }
    const otherHost = host === 'localhost' ? '127.0.0.1' : 'localhost';
    const serverOrigin = `http://${otherHost}:${this.visitorPort(port)}`;
    const prefix = this.tenants.serverPrefix;
    const path = this.configuration.startup['server.publicPathPrefix'];
    return renderDemoPage({
      pageOrigin: `http://${host}:${port}`,
      serverOrigin,
      snippetUrl: `${serverOrigin}${path}/visitor.js?${prefix}apikey=${encodeURIComponent(apiKey)}`,
      inspectUrl: `${serverOrigin}${path}/v1/inspect?${prefix}apikey=${encodeURIComponent(apiKey)}`,
      apiKeyHeader: `${prefix}apikey`,
      echoHeader: `${prefix}cookie`,
    });
  }
}

import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { clientAddress } from '../http/client-address';
import { sendError } from '../http/error-response';
import { publicHost, publicProtocol, single } from '../http/forwarded';
import { ROUTE_LABEL } from '../http/request-id';
import { inRequest } from '../logging/request-context';
import { MetricsService } from '../metrics/metrics.service';
import { AccessLogService } from '../http/access-log';
import { ErrorCode, PantryError } from '../common/errors';
import { normalizeHost } from '../cookies/cookie-domain';
import { ConfigurationService } from '../properties/configuration.service';
import { SecretsService } from '../secrets/secrets.service';
import type { ProxiedSite } from '../tenants/tenant-snapshot';
import { TenantService } from '../tenants/tenant.service';
import type { DocumentVisit } from '../visitor/visitor-outcome';
import { visitorRequest } from '../visitor/visitor-request';
import { VisitorResponder } from '../visitor/visitor.responder';
import { VisitorService } from '../visitor/visitor.service';
import { underPath } from '../vocabulary/edge';
import {
  documentCacheControl,
  endToEnd,
  fleetPseudonym,
  isDocument,
  passedThrough,
  withoutCookies,
  withVia,
} from './document-response';

/** A site Pantry forwards to: one with an upstream. */
type DocumentSite = ProxiedSite & { readonly upstream: string };

interface UpstreamAnswer {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly stream: NodeJS.ReadableStream;
}

/**
 * Document mode (SPEC §8): Pantry as the reverse proxy in front of an account's site. A
 * request whose host is in an account's `proxy.hosts` is streamed to its `proxy.upstream`
 * (with @fastify/reply-from, whose smuggling defences stay on), except the visitor API, which
 * Pantry answers itself so the snippet is same-origin. On HTML documents (GET, 2xx,
 * text/html) Pantry adds its cookies exactly as identify decides them, so they are set by
 * the document response itself, from the site's own address: the cookies Safari keeps.
 */
@Injectable()
export class DocumentProxy implements OnModuleInit {
  private readonly logger = new Logger(DocumentProxy.name);
  /** This fleet's name in `Via`: a request that carries it already went through the fleet. */
  private readonly via: string;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly configuration: ConfigurationService,
    private readonly tenants: TenantService,
    private readonly visitors: VisitorService,
    private readonly responder: VisitorResponder,
    private readonly metrics: MetricsService,
    private readonly access: AccessLogService,
    secrets: SecretsService,
  ) {
    this.via = fleetPseudonym(secrets.encryptionKey);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    void fastify.register(replyFrom, { disableRequestLogging: true });
    const apiBase = this.configuration.startup['server.publicPathPrefix'];
    const trustProxy = this.configuration.startup['server.trustProxy'];
    fastify.addHook('onRequest', (request, reply, done) => {
      const hosts = this.hosts();
      if (hosts.size === 0) return done();
      const raw = publicHost(request.headers, trustProxy);
      const site = hosts.get(normalizeHost(raw) ?? '');
      const path = request.url;
      // An edge-only site (no proxy.upstream): its own proxy serves the pages (SPEC §16).
      if (!site?.upstream || underPath(path, apiBase)) return done();
      this.forward(request, reply, site as DocumentSite, raw ?? '', trustProxy);
    });
  }

  /** Host → site, from the tenant snapshot. */
  private hosts(): ReadonlyMap<string, ProxiedSite> {
    return this.tenants.current.proxiedSites();
  }

  private forward(
    request: FastifyRequest,
    reply: FastifyReply,
    site: DocumentSite,
    publicHost: string,
    trustProxy: boolean,
  ): void {
    (request as FastifyRequest & { [ROUTE_LABEL]?: string })[ROUTE_LABEL] = '(document mode)';
    const upstreamStarted = performance.now();
    // The access log's outcome: the upstream failure's code, else what the status says.
    let failure: string | undefined;
    reply.raw.once('finish', () => {
      this.metrics.observeRequest(
        '(document mode)',
        request.method,
        reply.raw.statusCode,
        (performance.now() - upstreamStarted) / 1000,
      );
      this.access.answered(
        request,
        '(document mode)',
        reply.raw.statusCode,
        upstreamStarted,
        undefined,
        failure,
        () => site.accountId,
      );
    });
    const refuse = (code: ErrorCode, message: string) => {
      failure = code;
      sendError(new PantryError(code, message), request, reply);
    };
    if (passedThrough(request.headers.via, this.via)) {
      refuse(
        ErrorCode.ProxyLoop,
        'proxy.upstream leads back to Pantry; point it at the site’s origin server.',
      );
      return;
    }
    // Absolute-form was rewritten and OPTIONS * answered (http/request-target.ts); anything
    // else that is not a path must not reach the upstream URL.
    if (request.url.charCodeAt(0) !== 47) {
      refuse(ErrorCode.BadRequest, 'The request target must be a path.');
      return;
    }
    const hasBody =
      request.headers['content-length'] !== undefined ||
      request.headers['transfer-encoding'] !== undefined;
    // Streamed, never buffered: reply-from pipes a stream body through.
    if (hasBody && request.method !== 'GET' && request.method !== 'HEAD') {
      (request as { body: unknown }).body = request.raw;
    }
    const timeout = this.tenants.propertiesOf(site.accountId).values['proxy.timeoutSeconds'] * 1000;
    const proto = publicProtocol(request.headers, request.protocol, trustProxy);
    const options: Parameters<FastifyReply['from']>[1] = {
      timeout,
      rewriteRequestHeaders: (_req, headers) => {
        // reply-from has dropped what the client's Connection names.
        const out: IncomingHttpHeaders = endToEnd(headers);
        // Node answered `Expect: 100-continue` with 100 Continue already; the body streams
        // to the upstream as it comes (undici refuses to send Expect itself).
        delete out.expect;
        const forwardedFor = trustProxy ? single(request.headers['x-forwarded-for']) : undefined;
        const client = clientAddress(request, false);
        out['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${client}` : client;
        out['x-forwarded-host'] = publicHost;
        out['x-forwarded-proto'] = proto;
        out.via = withVia(headers.via, request.raw.httpVersion, this.via);
        return out;
      },
      rewriteHeaders: (headers) => {
        const out = endToEnd(headers);
        out['x-request-id'] = request.id;
        return out;
      },
      onResponse: (_req, _res, raw) => {
        // reply-from passes the upstream's answer here, not a ServerResponse as typed.
        const upstream = raw as unknown as UpstreamAnswer;
        this.metrics.upstreamLatency.observe(
          { status: String(upstream.statusCode) },
          (performance.now() - upstreamStarted) / 1000,
        );
        const send = () => void reply.send(upstream.stream);
        const added = isDocument(
          request.method,
          upstream.statusCode,
          upstream.headers['content-type'],
        )
          ? this.addCookies(request, reply, site, upstream.headers, trustProxy)
          : undefined;
        // A keeper lookup that fails sends the page without its cookies, never an error.
        if (added instanceof Promise) added.then(send, send);
        else send();
      },
      onError: (_res, { error }) => {
        const status = (error as { statusCode?: number }).statusCode;
        failure = status === 504 ? 'upstream_timeout' : 'upstream_unreachable';
        this.metrics.upstreamErrors.inc({ code: status === 504 ? 'timeout' : 'unreachable' });
        inRequest(request.id, () =>
          this.logger.warn(`upstream of account ${site.accountId} failed: ${error.message}`),
        );
        sendError(
          status === 504
            ? new PantryError(
                ErrorCode.UpstreamTimeout,
                `The site's server did not answer within ${timeout / 1000} s.`,
              )
            : new PantryError(
                ErrorCode.UpstreamUnreachable,
                "The site's server could not be reached or gave an invalid answer.",
              ),
          request,
          reply,
        );
      },
    };
    try {
      void reply.from(`${site.upstream}${request.url}`, options);
    } catch {
      // reply-from refuses, before any I/O, a path it cannot make a URL of on the upstream
      // (a `..` segment, malformed percent-encoding Fastify let through).
      refuse(
        ErrorCode.BadRequest,
        'The request path cannot be forwarded (malformed percent-encoding or a .. segment).',
      );
    }
  }

  /** Pantry's cookies on a document: its own lines win over the upstream's of the same names. */
  private addCookies(
    request: FastifyRequest,
    reply: FastifyReply,
    site: ProxiedSite,
    headers: IncomingHttpHeaders,
    trustProxy: boolean,
  ): void | Promise<void> {
    const account = this.tenants.visitorAccount(site.accountId);
    if (!account) return;
    // Decided and rendered as identify is, as edge mode does (one decision for documents).
    const render = ({ verdict, outcome }: DocumentVisit) => {
      const lines = this.responder.setCookieLines(account.plan, verdict, outcome);
      if (lines.length === 0) return;
      // Fastify appends Set-Cookie values: replace the upstream's lines copied before.
      reply.removeHeader('set-cookie');
      void reply.header('set-cookie', [
        ...withoutCookies(headers['set-cookie'], account.plan.names),
        ...lines,
      ]);
      void reply.header('cache-control', documentCacheControl(single(headers['cache-control'])));
    };
    // The keeper may look the visitor's kept cookies up (a lost one): the page waits for it.
    const outcome = this.visitors.document(
      account,
      visitorRequest(request, this.tenants.serverPrefix, trustProxy),
    );
    return outcome instanceof Promise ? outcome.then(render) : render(outcome);
  }
}

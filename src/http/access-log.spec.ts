import { Subject } from 'rxjs';
import type { Configuration } from '../properties/configuration';
import type { ConfigurationService } from '../properties/configuration.service';
import { DEFAULT_VALUES } from '../properties/property-catalog';
import { AccessLine, AccessLogService, outcomeOf, prettyAccessLine } from './access-log';

describe(outcomeOf.name, () => {
  it.each<[string, number, unknown, string | undefined, string, boolean]>([
    [
      'a JSON error: its code',
      401,
      { error: 'unknown_api_key', message: 'x' },
      undefined,
      'unknown_api_key',
      true,
    ],
    [
      'an error without a code: the status name',
      503,
      undefined,
      undefined,
      'service_unavailable',
      true,
    ],
    ['an odd status', 499, 'text', undefined, 'http_499', true],
    [
      'what the answering code said (a refused origin)',
      403,
      '{"error":"…"}',
      'origin_not_allowed',
      'origin_not_allowed',
      true,
    ],
    [
      'a refusal answered 200, named by the answering code',
      200,
      'window.pantry = …',
      'unknown_api_key',
      'unknown_api_key',
      true,
    ],
    ['a success named by the answering code', 200, undefined, 'issued', 'issued', false],
    [
      'identify issuing a cookie',
      200,
      { visitorId: 'v', issued: ['device'] },
      undefined,
      'issued',
      false,
    ],
    [
      'identify refreshing only',
      200,
      { visitorId: 'v', issued: [] },
      undefined,
      'refreshed',
      false,
    ],
    ['a bridge adopted', 200, { bridged: true, issued: [] }, undefined, 'bridged', false],
    [
      'a bridge refused, answered 200',
      200,
      { bridged: false, bridge: 'expired', issued: [] },
      undefined,
      'expired',
      true,
    ],
    ['a bridge refused without a reason', 200, { bridged: false }, undefined, 'not_bridged', true],
    [
      'a bridge on a visitor who kept its own id',
      200,
      { bridged: false, bridge: 'already_identified', issued: [] },
      undefined,
      'already_identified',
      true,
    ],
    [
      'a bridge while the database cannot be written',
      200,
      { bridged: false, bridge: 'unavailable', issued: [] },
      undefined,
      'unavailable',
      true,
    ],
    [
      'a bridge reason outside the fixed list',
      200,
      { bridged: false, bridge: 'x'.repeat(300), issued: [] },
      undefined,
      'not_bridged',
      true,
    ],
    [
      'a bridge token issued',
      200,
      { token: 't', url: 'u', expires: 1 },
      undefined,
      'token_issued',
      false,
    ],
    ['a preflight', 204, undefined, undefined, 'ok', false],
    ['a cached snippet', 304, undefined, undefined, 'not_modified', false],
    ['a snippet', 200, 'window.pantry = …', undefined, 'ok', false],
  ])('%s', (_what, status, body, preset, outcome, failed) => {
    expect(outcomeOf(status, body, preset)).toEqual({ outcome, failed });
  });
});

describe(AccessLogService.name, () => {
  const logged: unknown[] = [];
  /** What reached the logger, flushed, one parsed object per line. */
  const lines = (service: AccessLogService) => {
    service.flush();
    return logged.flatMap((l) =>
      String(l)
        .split('\n')
        .filter(Boolean)
        .map((t) => JSON.parse(t) as Record<string, unknown>),
    );
  };
  const changes = new Subject<Configuration>();
  const config = (level: string) =>
    ({
      app: { values: { ...DEFAULT_VALUES, 'server.accessLog': level } },
    }) as unknown as Configuration;
  const make = (level: string) => {
    const service = new AccessLogService({
      configuration: config(level),
      startup: { ...DEFAULT_VALUES, 'server.logFormat': 'json' },
      changes,
    } as unknown as ConfigurationService);
    (service as unknown as { logger: { log: (l: unknown) => void } }).logger = {
      log: (l) => logged.push(l),
    };
    return service;
  };
  const request = { id: 'req-1', method: 'POST' };
  const answer = (service: AccessLogService, status: number, body: unknown) =>
    service.answered(
      request,
      '/unblu/v1/identify',
      status,
      performance.now(),
      body,
      undefined,
      () => 'shop',
    );

  beforeEach(() => (logged.length = 0));

  it.each<[string, number[]]>([
    ['off', []],
    ['errors', [403, 200]],
    ['all', [200, 403, 200]],
  ])('at %s logs the answers with status %j', (level, statuses) => {
    const service = make(level);
    answer(service, 200, { issued: [] });
    answer(service, 403, { error: 'origin_not_allowed' });
    answer(service, 200, { bridged: false, bridge: 'expired', issued: [] });
    expect(lines(service).map((l) => l.status)).toEqual(statuses);
    service.onApplicationShutdown();
  });

  it('writes the line in the documented shape, and follows a reload', () => {
    const service = make('off');
    answer(service, 200, { issued: ['device'] });
    changes.next(config('all'));
    answer(service, 200, { issued: ['device'] });
    expect(lines(service)).toEqual([
      {
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
        context: 'AccessLog',
        msg: 'request',
        reqId: 'req-1',
        method: 'POST',
        route: '/unblu/v1/identify',
        status: 200,
        ms: expect.any(Number) as number,
        account: 'shop',
        outcome: 'issued',
      },
    ]);
    const line = lines(service)[0] as unknown as AccessLine;
    expect(prettyAccessLine(line)).toMatch(
      /^request POST \/unblu\/v1\/identify 200 [\d.]+ ms account=shop outcome=issued reqId=req-1$/,
    );
    service.onApplicationShutdown();
  });

  it('quotes what it writes: a line stays one JSON object whatever a field holds', () => {
    const service = make('all');
    service.answered(
      { id: 'a"b\\c', method: 'POST' },
      '/x',
      500,
      performance.now(),
      { error: 'x\ny' },
      undefined,
    );
    expect(lines(service)).toEqual([
      expect.objectContaining({ reqId: 'a"b\\c', outcome: 'x\ny', account: '-' }),
    ]);
    service.onApplicationShutdown();
  });
});

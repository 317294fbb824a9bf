import {
  BadRequestException,
  HttpException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import Fastify, { errorCodes } from 'fastify';
import { assertionReused } from '../auth/login-refusal';
import { ErrorCode, PantryError } from '../common/errors';
import { codeFor, errorBody, errorResponse } from './error-response';
import { jsonTextParser, MAX_JSON_DEPTH } from './json-body';

const where = { method: 'POST', route: '/admin/accounts' };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

let logged: jest.SpyInstance;
beforeEach(() => {
  logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
});
afterEach(() => logged.mockRestore());

/** The JSON of an answer, as the client reads it. */
const wire = (exception: unknown) => {
  const { status, body } = errorResponse(exception, where);
  return { status, json: JSON.stringify(body) };
};

describe('errorBody', () => {
  it('writes statusCode, error, message, then the details, in that order', () => {
    expect(JSON.stringify(errorBody(409, 'api_key_taken', 'm'))).toBe(
      '{"statusCode":409,"error":"api_key_taken","message":"m"}',
    );
    expect(JSON.stringify(errorBody(400, 'invalid_configuration', 'm', { problems: ['p'] }))).toBe(
      '{"statusCode":400,"error":"invalid_configuration","message":"m","problems":["p"]}',
    );
  });
});

/** Every code with its status, written out (not read from ERROR_STATUS). */
const STATUSES: ReadonlyArray<readonly [ErrorCode, number]> = [
  [ErrorCode.BadRequest, 400],
  [ErrorCode.InvalidProperty, 400],
  [ErrorCode.UnknownProperty, 400],
  [ErrorCode.PropertyScope, 400],
  [ErrorCode.InvalidConfiguration, 400],
  [ErrorCode.InvalidCustomerId, 400],
  [ErrorCode.InvalidUrl, 400],
  [ErrorCode.BridgeTargetNotAllowed, 400],
  [ErrorCode.PathParameterTooLong, 400],
  [ErrorCode.InvalidAccountId, 400],
  [ErrorCode.InvalidApiKey, 400],
  [ErrorCode.InvalidVisitorId, 400],
  [ErrorCode.Unauthorized, 401],
  [ErrorCode.ApiKeyRequired, 401],
  [ErrorCode.UnknownApiKey, 401],
  [ErrorCode.InvalidAssertion, 401],
  [ErrorCode.SessionEnded, 401],
  [ErrorCode.OriginNotAllowed, 403],
  [ErrorCode.LoginDisabled, 403],
  [ErrorCode.ServerRoute, 403],
  [ErrorCode.RoleNotAllowed, 403],
  [ErrorCode.CsrfTokenInvalid, 403],
  [ErrorCode.InsecureTransport, 403],
  [ErrorCode.NotFound, 404],
  [ErrorCode.AccountNotFound, 404],
  [ErrorCode.ApiKeyNotFound, 404],
  [ErrorCode.OverrideNotFound, 404],
  [ErrorCode.VisitorNotFound, 404],
  [ErrorCode.CustomerNotFound, 404],
  [ErrorCode.CredentialNotFound, 404],
  [ErrorCode.AccountExists, 409],
  [ErrorCode.AccountDefinedByFile, 409],
  [ErrorCode.ApiKeyTaken, 409],
  [ErrorCode.ApiKeyDefinedByFile, 409],
  [ErrorCode.ConsentRequired, 409],
  [ErrorCode.PayloadTooLarge, 413],
  [ErrorCode.UnsupportedMediaType, 415],
  [ErrorCode.TooManyRequests, 429],
  [ErrorCode.InternalError, 500],
  [ErrorCode.UpstreamUnreachable, 502],
  [ErrorCode.DatabaseUnavailable, 503],
  [ErrorCode.NotReady, 503],
  [ErrorCode.Draining, 503],
  [ErrorCode.UpstreamTimeout, 504],
  [ErrorCode.ProxyLoop, 508],
];

describe('errorResponse', () => {
  it.each(STATUSES)('a PantryError %s answers %d with its code and message', (code, status) => {
    expect(wire(new PantryError(code, 'What went wrong.'))).toEqual({
      status,
      json: `{"statusCode":${status},"error":"${code}","message":"What went wrong."}`,
    });
  });

  it('has a row above for every code', () => {
    expect(STATUSES.map(([code]) => code).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it("keeps a PantryError's details after the message", () => {
    const problems = [{ file: 'accounts/shop.yaml', message: 'bad' }];
    expect(wire(new PantryError(ErrorCode.InvalidConfiguration, 'm', { problems }))).toEqual({
      status: 400,
      json: `{"statusCode":400,"error":"invalid_configuration","message":"m","problems":${JSON.stringify(problems)}}`,
    });
  });

  it('answers a reused jti as 401 invalid_assertion, its reason kept out of the body', () => {
    expect(wire(assertionReused())).toEqual({
      status: 401,
      json: '{"statusCode":401,"error":"invalid_assertion","message":"This assertion was used already (jti); sign a new one for each login."}',
    });
  });

  it.each<[string, unknown, number, string, string]>([
    ['BadRequestException', new BadRequestException('Nope.'), 400, 'bad_request', 'Nope.'],
    [
      "ValidationPipe's list of messages",
      new BadRequestException(['a must be a string', 'b is not allowed']),
      400,
      'bad_request',
      'a must be a string; b is not allowed',
    ],
    ['NotFoundException', new NotFoundException(), 404, 'not_found', 'Not Found'],
    [
      'PayloadTooLargeException',
      new PayloadTooLargeException('Too big.'),
      413,
      'payload_too_large',
      'Too big.',
    ],
    [
      'an HttpException with a string',
      new HttpException('Teapot.', 418),
      418,
      'i_am_a_teapot',
      'Teapot.',
    ],
    ['a status without a name', new HttpException('Odd.', 499), 499, 'http_499', 'Odd.'],
  ])("answers Nest's %s with the status's name", (_what, exception, status, code, message) => {
    expect(wire(exception)).toEqual({
      status,
      json: JSON.stringify({ statusCode: status, error: code, message }),
    });
    expect(logged).not.toHaveBeenCalled();
  });

  const parse = jsonTextParser(Fastify());
  const thrownBy = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    throw new Error('did not throw');
  };
  const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);

  it.each<[string, unknown, number, string, RegExp]>([
    [
      'a body too large',
      new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(),
      413,
      'payload_too_large',
      /too large/,
    ],
    [
      'a content type it cannot parse',
      new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('text/x'),
      415,
      'unsupported_media_type',
      /text\/x/,
    ],
    ['malformed JSON', thrownBy(() => parse('{"a":')), 400, 'bad_request', /JSON/],
    [
      'poisoned JSON',
      thrownBy(() => parse('{"__proto__":{}}')),
      400,
      'bad_request',
      /not valid JSON/,
    ],
    ['JSON nested too deep', thrownBy(() => parse(deep)), 400, 'bad_request', /deeper than 32/],
  ])(
    "answers Fastify's client error, %s, with its status",
    (_what, exception, status, code, message) => {
      const { status: answered, body } = errorResponse(exception, where);
      expect(answered).toBe(status);
      expect(Object.keys(body)).toEqual(['statusCode', 'error', 'message']);
      expect(body).toMatchObject({ statusCode: status, error: code });
      expect(body.message).toMatch(message);
      expect(logged).not.toHaveBeenCalled();
    },
  );

  const SECRET = 'sk_live_4f9a-secret-value';
  it.each<[string, unknown]>([
    ['an Error', new Error(`connect failed with password ${SECRET}`)],
    ['a TypeError', new TypeError(`Cannot read properties of undefined (${SECRET})`)],
    ['a string', `thrown ${SECRET}`],
    ['null', null],
    ['an object with a 5xx statusCode', { statusCode: 502, message: SECRET }],
    ['an object with a non-numeric statusCode', { statusCode: '400', message: SECRET }],
  ])(
    'answers anything else, %s, as 500 with an id and nothing of the error',
    (_what, exception) => {
      const { status, body } = errorResponse(exception, where);
      expect(status).toBe(500);
      expect(Object.keys(body)).toEqual(['statusCode', 'error', 'message']);
      expect(body).toMatchObject({ statusCode: 500, error: 'internal_error' });
      const id = UUID.exec(body.message)?.[0];
      expect(id).toBeDefined();
      expect(JSON.stringify(body)).not.toContain(SECRET);
      expect(JSON.stringify(body)).not.toMatch(/password|undefined|thrown|connect/);
      // The log has the id (to find the stack by), the route and method, and no request data.
      expect(logged).toHaveBeenCalledTimes(1);
      expect(String(logged.mock.calls[0][0])).toBe(
        `unexpected error ${id} on POST /admin/accounts`,
      );
    },
  );

  it('gives each unexpected error its own id', () => {
    const a = errorResponse(new Error('x'), where).body.message;
    const b = errorResponse(new Error('x'), where).body.message;
    expect(UUID.exec(a)?.[0]).not.toBe(UUID.exec(b)?.[0]);
  });
});

describe('codeFor', () => {
  it.each([
    [400, 'bad_request'],
    [404, 'not_found'],
    [413, 'payload_too_large'],
    [503, 'service_unavailable'],
    [499, 'http_499'],
    [599, 'http_599'],
  ])('%d is %s', (status, code) => {
    expect(codeFor(status)).toBe(code);
  });
});

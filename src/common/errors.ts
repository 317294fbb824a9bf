/**
 * Pantry's error codes and the one table of their HTTP statuses (SPEC §5–§13). Domain code
 * (repositories, the unit of work, services, pure functions) throws `PantryError` by code and
 * knows nothing of HTTP; the HTTP layer (http/error-response.ts) maps a code to its status and
 * shapes every error body, `{"statusCode","error":code,"message"}`.
 */
export enum ErrorCode {
  // 400
  BadRequest = 'bad_request',
  InvalidProperty = 'invalid_property',
  UnknownProperty = 'unknown_property',
  PropertyScope = 'property_scope',
  InvalidConfiguration = 'invalid_configuration',
  InvalidCustomerId = 'invalid_customer_id',
  InvalidUrl = 'invalid_url',
  BridgeTargetNotAllowed = 'bridge_target_not_allowed',
  PathParameterTooLong = 'path_parameter_too_long',
  InvalidAccountId = 'invalid_account_id',
  InvalidApiKey = 'invalid_api_key',
  InvalidVisitorId = 'invalid_visitor_id',
  // 401
  Unauthorized = 'unauthorized',
  ApiKeyRequired = 'api_key_required',
  UnknownApiKey = 'unknown_api_key',
  InvalidAssertion = 'invalid_assertion',
  SessionEnded = 'session_ended',
  // 403
  OriginNotAllowed = 'origin_not_allowed',
  LoginDisabled = 'login_disabled',
  ServerRoute = 'server_route',
  RoleNotAllowed = 'role_not_allowed',
  CsrfTokenInvalid = 'csrf_token_invalid',
  InsecureTransport = 'insecure_transport',
  // 404
  NotFound = 'not_found',
  AccountNotFound = 'account_not_found',
  ApiKeyNotFound = 'api_key_not_found',
  OverrideNotFound = 'override_not_found',
  VisitorNotFound = 'visitor_not_found',
  CustomerNotFound = 'customer_not_found',
  CredentialNotFound = 'credential_not_found',
  // 409
  AccountExists = 'account_exists',
  AccountDefinedByFile = 'account_defined_by_file',
  ApiKeyTaken = 'api_key_taken',
  ApiKeyDefinedByFile = 'api_key_defined_by_file',
  ConsentRequired = 'consent_required',
  // 413, 415: Fastify's own refusals of a body, named by their status
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  // 429
  TooManyRequests = 'too_many_requests',
  // 502, 503, 504, 508
  UpstreamUnreachable = 'upstream_unreachable',
  DatabaseUnavailable = 'database_unavailable',
  NotReady = 'not_ready',
  Draining = 'draining',
  UpstreamTimeout = 'upstream_timeout',
  ProxyLoop = 'proxy_loop',
  // 500: the one answer of an unexpected error (its message quotes a correlation id)
  InternalError = 'internal_error',
}

/** The HTTP status of each code: the one place a domain error meets HTTP. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.InvalidProperty]: 400,
  [ErrorCode.UnknownProperty]: 400,
  [ErrorCode.PropertyScope]: 400,
  [ErrorCode.InvalidConfiguration]: 400,
  [ErrorCode.InvalidCustomerId]: 400,
  [ErrorCode.InvalidUrl]: 400,
  [ErrorCode.BridgeTargetNotAllowed]: 400,
  [ErrorCode.PathParameterTooLong]: 400,
  [ErrorCode.InvalidAccountId]: 400,
  [ErrorCode.InvalidApiKey]: 400,
  [ErrorCode.InvalidVisitorId]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.ApiKeyRequired]: 401,
  [ErrorCode.UnknownApiKey]: 401,
  [ErrorCode.InvalidAssertion]: 401,
  [ErrorCode.SessionEnded]: 401,
  [ErrorCode.OriginNotAllowed]: 403,
  [ErrorCode.LoginDisabled]: 403,
  [ErrorCode.ServerRoute]: 403,
  [ErrorCode.RoleNotAllowed]: 403,
  [ErrorCode.CsrfTokenInvalid]: 403,
  [ErrorCode.InsecureTransport]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.AccountNotFound]: 404,
  [ErrorCode.ApiKeyNotFound]: 404,
  [ErrorCode.OverrideNotFound]: 404,
  [ErrorCode.VisitorNotFound]: 404,
  [ErrorCode.CustomerNotFound]: 404,
  [ErrorCode.CredentialNotFound]: 404,
  [ErrorCode.AccountExists]: 409,
  [ErrorCode.AccountDefinedByFile]: 409,
  [ErrorCode.ApiKeyTaken]: 409,
  [ErrorCode.ApiKeyDefinedByFile]: 409,
  [ErrorCode.ConsentRequired]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.TooManyRequests]: 429,
  [ErrorCode.UpstreamUnreachable]: 502,
  [ErrorCode.DatabaseUnavailable]: 503,
  [ErrorCode.NotReady]: 503,
  [ErrorCode.Draining]: 503,
  [ErrorCode.UpstreamTimeout]: 504,
  [ErrorCode.ProxyLoop]: 508,
  [ErrorCode.InternalError]: 500,
};

/** A domain error: a machine code, a message for the caller, and optional details for the body. */
export class PantryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'PantryError';
  }
}

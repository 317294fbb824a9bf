// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * Errors (issue 25): code below the HTTP layer throws PantryError by ErrorCode
 * (src/common/errors.ts); only http/ (the filter, the visitor responder) maps errors to HTTP.
 */
const NEST_HTTP = {
  name: '@nestjs/common',
  importNames: [
    'HttpException',
    'HttpStatus',
    'BadGatewayException',
    'BadRequestException',
    'ConflictException',
    'ForbiddenException',
    'GatewayTimeoutException',
    'GoneException',
    'HttpVersionNotSupportedException',
    'ImATeapotException',
    'InternalServerErrorException',
    'MethodNotAllowedException',
    'MisdirectedException',
    'NotAcceptableException',
    'NotFoundException',
    'NotImplementedException',
    'PayloadTooLargeException',
    'PreconditionFailedException',
    'RequestTimeoutException',
    'ServiceUnavailableException',
    'UnauthorizedException',
    'UnprocessableEntityException',
    'UnsupportedMediaTypeException',
  ],
  message:
    'Below http/, throw PantryError with an ErrorCode (src/common/errors.ts): the HTTP layer maps codes to statuses.',
};
/** The old HttpException-based error, left only for visitor/ and proxy/ until they convert. */
const OLD_EXCEPTION = {
  group: ['**/pantry.exception'],
  message: 'Throw PantryError (src/common/errors.ts); PantryException is being removed.',
};
/** The layers below http/ (.dependency-cruiser.js). */
const BELOW_HTTP = [
  'common',
  'config',
  'vocabulary',
  'properties',
  'logging',
  'database',
  'metrics',
  'secrets',
  'registry',
  'audit',
  'cookies',
  'tenants',
  'auth',
  'bridge',
  'diagnostics',
  'snippet',
].map((folder) => `src/${folder}/**/*.ts`);

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '.ab/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'eslint.config.mjs',
      'jest.config.js',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/visitor/**', 'src/proxy/**', 'src/common/pantry.exception.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [OLD_EXCEPTION] }] },
  },
  {
    files: BELOW_HTTP,
    ignores: ['src/common/pantry.exception.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [NEST_HTTP], patterns: [OLD_EXCEPTION] }],
    },
  },
);

// @ts-check
import { createRequire } from 'node:module';
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
/**
 * The folders below http/, from the layers `npm run lint` enforces (.dependency-cruiser.js): every
 * folder whose layer rule forbids importing http/.
 */
const { forbidden } = createRequire(import.meta.url)('./.dependency-cruiser.js');
const BELOW_HTTP = forbidden
  .filter((rule) => rule.name.startsWith('layer-') && /\bhttp\b/.test(rule.to.path))
  .flatMap((rule) => /^\^src\/\(([^)]+)\)\/$/.exec(rule.from.path)[1].split('|'))
  .map((folder) => `src/${folder}/**/*.ts`);

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
      '.dependency-cruiser.js',
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
    files: BELOW_HTTP,
    rules: { 'no-restricted-imports': ['error', { paths: [NEST_HTTP] }] },
  },
);

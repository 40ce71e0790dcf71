import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Module boundaries. Every S3 request goes through the ObjectStore interface, so the SDK is
// imported only under src/s3/; operations return results and never render them or touch the runner.
const SDK_ONLY_IN_S3 = { group: ['@aws-sdk/*'], message: 'Only src/s3/ talks to the AWS SDK: go through the ObjectStore interface.' };
const OPERATIONS_DO_NOT_PRESENT = [
  { group: ['**/report/*', '**/report/**'], message: 'Operations return results; the entries render them with report/.' },
  { group: ['@actions/*'], message: 'Operations do not know the runner: the entry points pass what they need in the dependencies.' },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.demo/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/s3/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [SDK_ONLY_IN_S3] }] },
  },
  {
    files: ['src/operations/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [SDK_ONLY_IN_S3, ...OPERATIONS_DO_NOT_PRESENT] }] },
  },
);

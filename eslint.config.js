// @ts-check
import tseslint from 'typescript-eslint';

// Pure modules may import only zod, node:crypto and each other: database drivers, HTTP clients and the
// Actions toolkit must never leak into the state machine or the webhook parser (and so into the bundle).
const pureOnly = {
  patterns: [
    {
      regex: '^(?!zod$|node:crypto$|\\.{1,2}/).*',
      message: 'src/wait and src/webhooks are pure: zod, node:crypto and relative imports only.',
    },
    {
      group: ['**/action/**', '**/bridge/**', '**/simulator/**', '**/lib/**', '**/streampixel/**'],
      message:
        'pure modules must not import I/O code, nor the API side (src/streampixel), which imports them.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'use an as-const object' }],
    },
  },
  {
    files: ['src/wait/**/*.ts', 'src/webhooks/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', pureOnly] },
  },
  {
    // The core (src/release) serves the action, the CLI and the bridge's handoff: it knows none of them.
    files: ['src/**/*.ts'],
    // src/wait and src/webhooks have the stricter rule above, src/streampixel the action's below.
    ignores: ['src/action/**', 'src/cli/**', 'src/wait/**', 'src/webhooks/**', 'src/streampixel/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/action/**', '**/cli/**'], message: 'nothing imports the action or the CLI.' },
            { group: ['@actions/*'], message: '@actions/* belongs to src/action only.' },
          ],
        },
      ],
    },
  },
  {
    // The action bundle must never pull in the bridge's database drivers or server framework.
    files: ['src/action/**/*.ts', 'src/streampixel/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['pg', 'fastify', 'node:sqlite'],
          patterns: [{ group: ['**/bridge/**'], message: 'no bridge code in the action' }],
        },
      ],
    },
  },
);

import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// The emulator answers early by throwing a `Reply` (status, body, headers) that its request
// handler catches and sends: a value of its own, not an error, so these rules may let it pass.
const emulatorReply = [{ from: 'file', name: 'Reply', path: 'lib/emulator/body.ts' }]

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'test-artifacts/', '**/node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': ['error', { allow: emulatorReply }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allow: emulatorReply }],
      // `async` without `await` is how a function here says "I return a promise, and a throw
      // becomes a rejection": verify callbacks (the strategy honours returned promises), close().
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain JavaScript (the example app, the benchmark, fixtures) has no types to be unsafe
    // about: every value read from JSON or a callback is `any` there. The promise rules still apply.
    files: ['**/*.js'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Tests read reply bodies (supertest's `res.body`, the emulator helpers' `json`) and call
    // `passport.authenticate()`, all typed `any` upstream, and hand them straight to `expect()`
    // or Express: asserting on what came back is the point. The docs' examples hand
    // `passport.authenticate()` to their framework the same way. Test output is built from
    // such values and from Buffers read off sockets, for failure messages only.
    files: ['test/**', 'examples/*/test/**', 'docs/examples/**'],
    rules: {
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // node:test's describe() and it() return promises that the test runner itself awaits.
    files: ['examples/*/test/**'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it'] }] },
      ],
    },
  },
  {
    // Lines within 120 characters, comments and strings included: Prettier wraps only code.
    files: ['lib/**', 'example-app/**', 'examples/**'],
    rules: { 'max-len': ['error', { code: 120, ignoreUrls: true }] },
  },
)

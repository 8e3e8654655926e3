// Jest runs our TypeScript as native ESM (NODE_OPTIONS=--experimental-vm-modules, set by
// `npm test`), transpiled by SWC. Type-checking is `npm run typecheck`, a separate step.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    // NestJS files (lib/nest/, docs/examples/nest-*.ts, the Nest tests) use (legacy) decorators and the parameter types Nest injects by.
    '/nest([^/]*|/[^/]+)\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'es6' },
      },
    ],
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: {
    // The example app and the tests import the package by name, as users do.
    '^passport-quickblox$': '<rootDir>/lib/index.ts',
    '^passport-quickblox/emulator$': '<rootDir>/lib/emulator/index.ts',
    '^passport-quickblox/nest$': '<rootDir>/lib/nest/index.ts',
    // NodeNext-style relative imports name the emitted `.js`; Jest resolves the `.ts` source.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // A mutation run's sandbox (coverage/stryker-tmp) holds a copy of the project.
  modulePathIgnorePatterns: ['<rootDir>/coverage/'],
  // Builds dist/ once for the tests whose child processes import the package by name.
  globalSetup: '<rootDir>/test/global-setup.js',
  collectCoverageFrom: ['lib/**/*.ts', '!lib/emulator/cli.ts'],
  coverageProvider: 'v8',
  coverageReporters: ['text-summary', 'text'],
  coverageThreshold: { global: { lines: 90 } },
  testTimeout: 20000,
}

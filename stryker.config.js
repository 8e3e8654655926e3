// Mutation testing of the library (not the emulator, which is test tooling): `npm run test:mutation`.
// Slow, so not part of CI. See "Mutation testing" in CONTRIBUTING.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['lib/**/*.ts', '!lib/emulator/**'],
  testRunner: 'jest',
  // Jest runs native ESM here, as `npm test` does.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { configFile: 'jest.mutation.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  // Type checks are off only in the mutated files (a mutant need not type-check): the tests that
  // compare docs/examples/ and test/fixtures/ with the docs quoting them must see them unchanged.
  disableTypeChecks: 'lib/**/*.ts',
  // A static mutant (a module-level constant) is covered by no test in particular, so each would
  // rerun the whole suite: hundreds of full runs. They are left out (reported as ignored).
  ignoreStatic: true,
  // The machine running it is usually shared: one Jest at a time, generous timeouts (the tests
  // talk HTTP to a real emulator, and a mutant may make a request hang until its timeout).
  concurrency: 1,
  timeoutMS: 30_000,
  timeoutFactor: 2,
  ignorePatterns: [
    'dist',
    'coverage',
    'test-artifacts',
    'bench/results',
    'example-app/node_modules',
    'bench/node_modules',
  ],
  tempDirName: 'coverage/stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'coverage/mutation/index.html' },
  jsonReporter: { fileName: 'coverage/mutation/mutation.json' },
  // The run fails below 85 %.
  thresholds: { high: 90, low: 85, break: 85 },
}

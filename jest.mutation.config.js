// The Jest configuration of `npm run test:mutation` (see stryker.config.js): the in-process
// suites only. Suites that spawn processes (the CLI, the example server, the packed package and its
// type check, the system-package installer, the benchmark, the load test) or need Redis or a browser
// exercise dist/ or other processes, not the mutated lib/ loaded here, so they cannot kill a
// mutant; they only slow every run down.
// The emulator's own suites are left out too: the emulator is not mutated. So are the property
// tests: a thousand HTTP logins per property, for every mutant they cover, would make the run
// last many hours; the example-based suites must kill every mutant on their own. The framework,
// example-app and docs suites start whole applications (Nest, Fastify, Koa, the example) for each
// mutant they reach, and what they assert of the library the strategy and token suites assert
// over an Express app too: leaving them out makes a mutant cost seconds, not tens of seconds.
import base from './jest.config.js'

// MUTATION_SUITES=quickblox.,errors. runs only the suites whose names start so: a run over the
// protocol client against its own suites takes minutes per hundred mutants instead of hours, since
// every suite that logs in reaches the client.
const suites = process.env.MUTATION_SUITES?.split(',').map((prefix) => `<rootDir>/test/${prefix}*.test.ts`)

export default {
  ...base,
  ...(suites && { testMatch: suites }),
  testPathIgnorePatterns: [
    '/node_modules/',
    '/test/emulator[./]',
    '/test/[^/]*\\bproperty\\b',
    '/test/[^/]*\\b(bench|browser|cli|load|package|server|types|system-deps)\\b[^/]*\\.test\\.ts$',
    '/test/(frameworks|example-app|docs)\\.',
  ],
  // Nothing left spawns a process that imports dist/, so it need not be built.
  globalSetup: undefined,
  collectCoverage: false,
  coverageThreshold: undefined,
}

const path = require('node:path');

// NestJS 12 ships ESM only; Jest on Node 20 cannot require() ESM, so swc
// compiles our TypeScript and those ESM packages to CommonJS (see STACK-NOTES).
const esmPackages = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
  // ESM-only copies nested under Fastify's plugins (path-to-regexp 8, content-disposition 2). Both
  // the nested path and the bare name: the pattern is tried at every node_modules/ of a path.
  '@fastify/middie/node_modules/path-to-regexp',
  'path-to-regexp',
  '@fastify/static/node_modules/content-disposition',
  'content-disposition',
  // PGlite's CommonJS build still does `await import('fs/promises')` etc.; Jest's sandbox cannot run
  // dynamic import() without --experimental-vm-modules, and swc rewrites those to require().
  '@electric-sql',
];
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj|cj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // The server compiled for multi-process tests (test/utils/parley-process.ts): never a module or a
  // test of ours, and written during runs, which would retrigger --watchAll.
  // client/dist: the SDK's build output, never a test or a module to resolve.
  modulePathIgnorePatterns: [
    '<rootDir>/.test-build/',
    '<rootDir>/client/dist/',
    '<rootDir>/client/dist-esm/',
  ],
  // Relative ESM-style imports ('./x.js') resolve to the TypeScript source.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The example host app imports Parley by its package name, as a real host would.
    '^parley$': path.join(__dirname, 'src/chat/index.ts'),
  },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      rootDir: '.',
      // bench/: the benchmark's own arithmetic (percentiles, ratios), never its figures.
      // client/: the SDK's own logic (backoff, outbox, throttling, ordering) against a fake socket.
      testMatch: [
        '<rootDir>/src/**/*.spec.ts',
        '<rootDir>/bench/**/*.spec.ts',
        '<rootDir>/client/src/**/*.spec.ts',
      ],
    },
    {
      ...shared,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/utils/global-setup.ts',
      globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
    },
  ],
};

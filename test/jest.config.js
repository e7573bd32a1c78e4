// Jest: one command (`npm test`) runs every layer, each as its own project.
// DynamoDB Local is started once per run (global setup) and stopped at the end, even on failure.
const root = require('node:path').resolve(__dirname, '..');
const transform = {
  '^.+\\.[tj]s$': [
    'ts-jest',
    {
      // Type checking is `npm run typecheck`'s job; the tests only need the code transpiled.
      tsconfig: { isolatedModules: true, module: 'commonjs', moduleResolution: 'node10', allowJs: true, esModuleInterop: true },
      diagnostics: false,
    },
  ],
};
// Middy, jose and the OpenAPI validator's reference parser ship only ES modules: transpile them to CommonJS like the project's own code.
const transformIgnorePatterns = ['/node_modules/(?!(@middy|jose|@apidevtools)/)'];
// Middy 7 exports only an `import` condition, which Jest's CommonJS resolver does not take: point it at
// the module file (transpiled above).
const moduleNameMapper = { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' };

const project = (name, extra = {}) => ({
  displayName: name,
  rootDir: root,
  testEnvironment: 'node',
  moduleNameMapper,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  transform,
  transformIgnorePatterns,
  setupFiles: ['<rootDir>/test/support/env.ts'],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  rootDir: root,
  transform,
  transformIgnorePatterns,
  // Integration and e2e tests talk to DynamoDB Local and HTTP servers; CDK synthesis bundles code.
  testTimeout: 60_000,
  // Not the project's code: the Node.js download of .ci/run, the cloud assembly, the local stack's data and bundles.
  modulePathIgnorePatterns: ['<rootDir>/.tools/', '<rootDir>/cdk.out/', '<rootDir>/.local/'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [project('unit'), project('console'), project('integration'), project('e2e'), project('infra')],
};

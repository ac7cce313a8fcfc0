// Jest runs the kit as a Jest user installs it: the built package (dist/index.cjs), CommonJS, no transform.
// `npm test` runs it through packages/testing/src/__tests__/jest.test.ts.
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/jest/**/*.test.cjs'],
  transform: {},
  cacheDirectory: '<rootDir>/../../node_modules/.cache/jest',
}

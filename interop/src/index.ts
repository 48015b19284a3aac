// Public API of @shoal/interop: gRPC's interop harness written with Shoal, for the
// shoal-interop-server/-client binaries and for tests that run its cases on other clients.

export { InteropFailure } from './client/case-support.js';
export { type ShoalStubOptions, shoalStub } from './client/shoal-stub.js';
export type {
  InteropStub,
  MetadataReader,
  StubCallOptions,
  WithPayload,
} from './client/stub.js';
export { runTestCase, testCaseNames } from './client/test-cases.js';
export { createTestServer, testServiceImpl } from './server/test-service.js';

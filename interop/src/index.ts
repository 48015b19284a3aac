// Public API of @shoal/interop: gRPC's interop harness written with Shoal, for the
// shoal-interop-server/-client binaries and for tests that run its cases on other clients; and
// real HTTP/2 proxies (nghttpx, nginx) started on loopback, for tests and benchmarks.

export { InteropFailure } from './client/case-support.js';
export { type ShoalStubOptions, shoalStub } from './client/shoal-stub.js';
export type {
  InteropStub,
  MetadataReader,
  StubCallOptions,
  WithPayload,
} from './client/stub.js';
export { runTestCase, testCaseNames } from './client/test-cases.js';
export { type NghttpxOptions, startNghttpx } from './proxies/nghttpx.js';
export { type NginxOptions, startNginx } from './proxies/nginx.js';
export { createTestServer, testServiceImpl } from './server/test-service.js';

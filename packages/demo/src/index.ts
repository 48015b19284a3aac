// Public API of @shoal/demo: what `shoal demo` runs, so the published CLI has it.

/** Where the demo's config, tour files and provider process are. */
export { type DemoFiles, demoFiles } from './demo-files.js';
/**
 * The greeter (greet.v1.GreeterService): the example service of the tour and the demo, and its
 * implementation.
 */
export { GreeterService, greeterImpl } from './greeter.js';

// Public API of the examples package: the greeter provider, for the demo and tests.
export { GreeterService, greeterImpl } from './greeter/greeter-impl.js';

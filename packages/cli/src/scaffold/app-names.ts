// The names an app is scaffolded with, all derived from one: `hello-world` → package
// `helloworld.v1`, service `HelloWorldService` (interface `helloworld.v1.HelloWorldService`), host
// `hello-world` (in the mesh, `hello-world.default.svc.cluster.local`).

import { CliError, ExitCode } from '../cli-error.js';

export interface AppNames {
  /** npm package and Kubernetes name: lower-case with dashes. */
  app: string;
  /** protobuf package, e.g. `helloworld.v1`. */
  protoPackage: string;
  /** e.g. `HelloWorldService`. */
  service: string;
  /** e.g. `helloworld/v1/helloworld.proto`, under proto/. */
  protoPath: string;
  /** The interface consumers dial, Dubbo's way: `helloworld.v1.HelloWorldService`. */
  interfaceName: string;
  /** The host the app registers as, in namespace default (REGISTRATION.md). */
  meshHost: string;
}

/** The port a provider serves on by default, and its Kubernetes Service port. */
export const APP_PORT = 50051;

export function appNames(name: string): AppNames {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(name)) {
    throw new CliError(
      `app name "${name}" must be lower-case letters, digits and dashes, starting with a letter`,
      ExitCode.usage,
    );
  }
  const words = name.split('-').filter(Boolean);
  const flat = words.join('');
  const pascal = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return {
    app: name,
    protoPackage: `${flat}.v1`,
    service: `${pascal}Service`,
    protoPath: `${flat}/v1/${flat}.proto`,
    interfaceName: `${flat}.v1.${pascal}Service`,
    meshHost: `${name}.default.svc.cluster.local`,
  };
}

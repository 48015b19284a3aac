// A registry of every xDS message Shoal knows, for Any unpacking and JSON output (CSDS, CLI).
import { createRegistry, type DescFile, type Registry } from '@bufbuild/protobuf';
import {
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from '@bufbuild/protobuf/wkt';
import * as envoy from '../envoy.js';

/** Every generated file descriptor of this package, in no particular order. */
export function xdsFiles(): DescFile[] {
  return Object.entries(envoy)
    .filter(([name]) => name.startsWith('file_'))
    .map(([, file]) => file as DescFile);
}

/** A fresh registry of all xDS messages, enums and services plus the well-known types. */
export function createXdsRegistry(): Registry {
  return createRegistry(
    file_google_protobuf_any,
    file_google_protobuf_duration,
    file_google_protobuf_struct,
    file_google_protobuf_timestamp,
    file_google_protobuf_wrappers,
    ...xdsFiles(),
  );
}

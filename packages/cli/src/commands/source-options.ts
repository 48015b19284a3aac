// The flags that say where list, describe and call learn a server's API: server reflection by
// default, or --proto FILE (found in the --import-path folders) or --protoset FILE instead.

import type { Command } from 'commander';
import type { FileSourceOptions } from '../descriptors/descriptor-source.js';

export type SourceFlags = FileSourceOptions;

/** Commander's collector for a repeatable flag. */
export const collect = (value: string, previous: string[]) => [...previous, value];

export function withSourceOptions(command: Command): Command {
  return command
    .option(
      '--proto <file>',
      'a .proto file, by its name in the import paths, instead of server reflection (repeatable)',
      collect,
      [],
    )
    .option(
      '--import-path <dir>',
      'a folder where --proto files and their imports are found, searched in order (repeatable; default .)',
      collect,
      [],
    )
    .option(
      '--protoset <file>',
      'a serialized FileDescriptorSet instead of server reflection (repeatable)',
      collect,
      [],
    );
}

// The request data of `shoal call`: `-d JSON`, `-d @file`, or `-d @-` for standard input. Streaming
// requests are newline-delimited JSON, one message per line.

import { readFileSync } from 'node:fs';
import { type DescMessage, fromJson, type JsonValue } from '@bufbuild/protobuf';
import { CliError, ExitCode } from '../cli-error.js';

export function readData(data: string | undefined): string {
  if (data === undefined) return '';
  if (data === '@-') return readFileSync(0, 'utf8');
  if (data.startsWith('@')) {
    try {
      return readFileSync(data.slice(1), 'utf8');
    } catch (err) {
      throw new CliError(
        `cannot read ${data.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  return data;
}

/** Parses one message (unary) or every line (streaming) into messages of `schema`. */
export function parseMessages(text: string, schema: DescMessage, streaming: boolean): unknown[] {
  const chunks = streaming
    ? text.split('\n').filter((l) => l.trim() !== '')
    : [text.trim() === '' ? '{}' : text];
  return chunks.map((chunk, i) => {
    const where = streaming ? `line ${i + 1} of the request data` : 'the request data';
    let value: JsonValue;
    try {
      value = JSON.parse(chunk) as JsonValue;
    } catch (err) {
      throw new CliError(`${where} is not valid JSON: ${(err as Error).message}`, ExitCode.usage);
    }
    try {
      return fromJson(schema, value);
    } catch (err) {
      throw new CliError(`${where} is not a ${schema.typeName}: ${(err as Error).message}`, ExitCode.usage);
    }
  });
}

/** `-H 'key: value'` flags into metadata pairs. */
export function parseHeaders(values: string[]): [string, string][] {
  return values.map((h) => {
    const i = h.indexOf(':');
    if (i <= 0) throw new CliError(`header "${h}" is not "key: value"`, ExitCode.usage);
    return [h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim()];
  });
}

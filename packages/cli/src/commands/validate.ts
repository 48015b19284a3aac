// `shoal validate -f FILE`: offline checks like `istioctl analyze`, each document's own errors
// (with Istio's field paths; Dubbo's rules at the paths as written) and problems across the documents of the input. Errors exit 1;
// warnings are printed and exit 0.

import type { AnyConfigObject, ConfigIssue } from '@shoal/control-plane';
import type { Command } from 'commander';
import { ExitCode } from '../cli-error.js';
import { parseOutputFormat, printData } from '../output/print.js';
import { readConfigInput } from './config-input.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      "check Istio config and Dubbo's rules offline (VirtualService, DestinationRule, ServiceEntry, WorkloadEntry, ..., condition and tag routers, dynamic configuration)",
    )
    .requiredOption('-f, --filename <file>', 'a YAML/JSON file, a folder of them, or - for stdin')
    .option('-o, --output <format>', 'json or yaml')
    .action(async (flags: { filename: string; output?: string }) => {
      // Loaded on use: the validator compiles its schemas, which other verbs need not pay for.
      const { analyzeConfig, formatIssue, loadConfigText } = await import('@shoal/control-plane');
      const format = parseOutputFormat(flags.output);
      const inputs = readConfigInput(flags.filename);
      const errors: ConfigIssue[] = [];
      const warnings: ConfigIssue[] = [];
      const all: AnyConfigObject[] = [];
      for (const input of inputs) {
        const loaded = loadConfigText(input.text, { source: input.source });
        errors.push(...loaded.errors);
        warnings.push(...loaded.warnings);
        all.push(...loaded.objects);
      }
      // Cross-object checks see the documents of every file together.
      const analysis = analyzeConfig(all);
      errors.push(...analysis.errors);
      warnings.push(...analysis.warnings);
      const objects = all.length;
      const result = { valid: errors.length === 0, objects, errors, warnings };
      printData(result, format, () =>
        [
          ...errors.map((i) => `Error: ${formatIssue(i)}`),
          ...warnings.map((i) => `Warning: ${formatIssue(i)}`),
          errors.length === 0
            ? `✔ ${objects} object(s) valid${warnings.length ? ` (${warnings.length} warning(s))` : ''}`
            : `✘ ${errors.length} error(s) in ${inputs.map((i) => i.source).join(', ')}`,
        ].join('\n'),
      );
      if (errors.length > 0) process.exitCode = ExitCode.failure;
    });
}

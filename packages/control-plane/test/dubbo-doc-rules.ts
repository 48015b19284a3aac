// Internal, for tests only: Dubbo's rules as its documentation writes them (the files of
// dubbo-rules/, see its README), the inputs of the Dubbo specs and suites. Placeholders of the docs
// (instance addresses) are parameters.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the rule files are, from this file's build in dist-test/test/. */
export const DUBBO_RULES_DIR = fileURLToPath(new URL('../../test/dubbo-rules/', import.meta.url));

export function dubboRule(file: string, values: Record<string, string> = {}): string {
  let text = readFileSync(`${DUBBO_RULES_DIR}${file}`, 'utf8');
  for (const [k, v] of Object.entries(values)) text = text.replaceAll(`{${k}}`, v);
  return text;
}

/** Weight task: v2 instances of OrderService get weight 25 against v1's default 100. */
export const WEIGHT = dubboRule('weight.yaml');
/** Timeout task: its body has no key (Dubbo Admin asks for it: org.apache.dubbo.samples.UserService). */
export const TIMEOUT_BODY = dubboRule('timeout-body.yaml');
/** Retry task, as published (a stray "match" line, which Dubbo's parser rejects too). */
export const RETRY_AS_PUBLISHED = dubboRule('retry-as-published.txt');
/** Request routing by argument: getItem's second argument "dubbo" goes to detail v2. */
export const ARGUMENTS = dubboRule('arguments.yaml');
/** Request routing to one machine: every getInfo call to one address (no key in the body). */
export const HOST_BODY = (ip: string) => dubboRule('host-body.yaml', { ip });
/** Same-region priority: the consumer's region, falling back to any region. */
export const REGION = dubboRule('region.yaml');
/** Gray environment isolated by a tag (force: no fallback out of it). */
export const GRAY_TAG = dubboRule('gray-tag.yaml');
/** Traffic isolation with the older addresses form (Dubbo Admin's template). */
export const ISOLATION_TAG = (tag1: string, tag2: string) => dubboRule('isolation-tag.yaml', { tag1, tag2 });
/** Kicking out an instance: Dubbo Admin's dynamic configuration with disabled on one address. */
export const KICK_OUT = (address: string) => dubboRule('kick-out.yaml', { address });
/** The condition rule reference's example. */
export const CONDITION_REFERENCE = dubboRule('condition-reference.yaml');
/** The dynamic configuration reference's examples: app-scope accesslog, service-scope retries. */
export const CONFIG_REFERENCE_APP = dubboRule('config-reference-app.yaml');
export const CONFIG_REFERENCE_SERVICE = dubboRule('config-reference-service.yaml');
/** v3.1 with weighted destinations (Dubbo's ConditionStateRouterTestV31). */
export const CONDITION_V31 = dubboRule('condition-v31.yaml');
/** Dubbo's mesh rules: the weight routing example (with weight beside destination). */
export const MESH_WEIGHT = dubboRule('mesh-weight.yaml');

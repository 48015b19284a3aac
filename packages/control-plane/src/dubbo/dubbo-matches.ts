// Dubbo's StringMatch and AddressMatch, evaluated on a value (a label, an address) at translation.
// Dubbo: router.mesh.rule.virtualservice.match.StringMatch / AddressMatch (Java regexes match the
// whole input, as here).

import { globMatches } from './condition-expression.js';
import { matchIpExpression } from './ip-expression.js';
import type { DubboAddressMatch, DubboStringMatch } from './rule-types.js';

export function stringMatches(m: DubboStringMatch, input: string | undefined): boolean {
  if (m.exact !== undefined) return input === m.exact;
  if (m.prefix !== undefined) return input?.startsWith(m.prefix) === true;
  if (m.regex !== undefined) return input !== undefined && new RegExp(`^(?:${m.regex})$`).test(input);
  if (m.wildcard !== undefined) return input !== undefined && (m.wildcard === '*' || input === m.wildcard);
  if (m.empty !== undefined) return input === undefined || input === '';
  if (m.noempty !== undefined) return input !== undefined && input !== '';
  return false;
}

/** `input` is a host (`10.0.0.1`) or an address (`10.0.0.1:20880`). */
export function addressMatches(m: DubboAddressMatch, input: string): boolean {
  const colon = input.lastIndexOf(':');
  const [host, port] =
    colon > 0 && !input.includes('::') ? [input.slice(0, colon), Number(input.slice(colon + 1))] : [input, 0];
  if (m.cird !== undefined && (input === m.cird || matchIpExpression(m.cird, host, port))) return true;
  if (m.wildcard !== undefined)
    return m.wildcard === '0.0.0.0' || m.wildcard === '*' || globMatches(m.wildcard, input);
  if (m.exact !== undefined) return input === m.exact;
  return false;
}

// Dubbo's router chain, evaluated once per client at translation time and written as an ordered
// list of xDS routes. The chain asks questions about each request (atoms: the service and method
// of its path, a header's value, whether a header is there); everything else (the consumer's
// parameters, which instances exist) is known here. Asking every atom both ways gives a decision
// tree whose leaves are the results a request can end in. Leaves are emitted depth-first, "yes"
// before "no", each as a route that matches the atoms answered "yes" on its way: a request that
// answers "yes" to an atom is always caught by a route of that branch, so the routes of the "no"
// branch need not say "no" (xDS cannot say "not" of a path, and gRPC reads no inverted matcher).
// Dubbo: RouterChain / SingleRouterChain (each router filters the result of the one before).

import type { StringMatch } from '../config/networking-types.js';
import { globMatches, patternMatches } from './condition-expression.js';
import { globIntersectionRegex, globStringMatch, intRangeRegex } from './glob-regex.js';

/** How a header atom matches the header's value. */
export type HeaderValueMatch =
  | { readonly kind: 'exact'; readonly value: string }
  /** Dubbo's glob, or a range `a~b` (see condition-expression.ts). */
  | { readonly kind: 'pattern'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string };

export type Atom =
  /** The called service (the path's first segment) matches the glob, without regard to case. */
  | { readonly kind: 'service'; readonly glob: string }
  /** The method (the path's second segment) matches the glob, without regard to case. */
  | { readonly kind: 'method'; readonly glob: string }
  | { readonly kind: 'header'; readonly name: string; readonly match: HeaderValueMatch }
  | { readonly kind: 'present'; readonly name: string };

export type Ask = (atom: Atom) => boolean;

class NeedAtom {
  constructor(readonly atom: Atom) {}
}

export interface Leaf<T> {
  /** The atoms answered "yes" on the way to this leaf, in the order asked. */
  readonly yes: readonly Atom[];
  readonly value: T;
}

const atomKey = (a: Atom) => JSON.stringify(a);

/** The most leaves a plan may have; rules that need more are refused with this many. */
export const MAX_LEAVES = 512;

function valueMatches(match: HeaderValueMatch, value: string): boolean {
  if (match.kind === 'exact') return value === match.value;
  if (match.kind === 'prefix') return value.startsWith(match.value);
  return patternMatches(match.value, value, undefined, true);
}

/** What earlier answers already say about an atom. */
function implied(atom: Atom, answers: ReadonlyMap<string, readonly [Atom, boolean]>): boolean | undefined {
  for (const [a, yes] of answers.values()) {
    if (atom.kind === 'present') {
      if (yes && a.kind === 'header' && a.name === atom.name) return true;
    } else if (atom.kind === 'header') {
      if (!yes && a.kind === 'present' && a.name === atom.name) return false;
      if (yes && a.kind === 'header' && a.name === atom.name && a.match.kind === 'exact')
        return valueMatches(atom.match, a.match.value);
    } else if (yes && a.kind === atom.kind && !a.glob.includes('*')) {
      return globMatches(atom.glob.toLowerCase(), a.glob.toLowerCase());
    }
  }
  return undefined;
}

/**
 * Every outcome of `evaluate`, asking each atom it needs both ways (`known` answers atoms without
 * asking, e.g. the service of a listener named after it). Leaves come out depth-first, yes first.
 */
export function expandDecisions<T>(
  evaluate: (ask: Ask) => T,
  known: (atom: Atom) => boolean | undefined = () => undefined,
): Leaf<T>[] {
  const leaves: Leaf<T>[] = [];
  const walk = (answers: Map<string, readonly [Atom, boolean]>) => {
    const ask: Ask = (atom) => {
      const answer = answers.get(atomKey(atom))?.[1] ?? known(atom) ?? implied(atom, answers);
      if (answer === undefined) throw new NeedAtom(atom);
      return answer;
    };
    let value: T;
    try {
      value = evaluate(ask);
    } catch (err) {
      if (!(err instanceof NeedAtom)) throw err;
      const key = atomKey(err.atom);
      walk(new Map([...answers, [key, [err.atom, true] as const]]));
      walk(new Map([...answers, [key, [err.atom, false] as const]]));
      return;
    }
    if (leaves.length >= MAX_LEAVES)
      throw new Error(`Dubbo's rules for this service need more than ${MAX_LEAVES} routes; simplify them`);
    leaves.push({ yes: [...answers.values()].filter(([, yes]) => yes).map(([a]) => a), value });
  };
  walk(new Map());
  return leaves;
}

/** What a route matches: a path regex (absent: every path) and header matches, each a separate matcher. */
export interface RouteMatchParts {
  readonly pathRegex: string | undefined;
  readonly headers: readonly { readonly name: string; readonly match: StringMatch }[];
}

function headerStringMatch(match: HeaderValueMatch): StringMatch {
  if (match.kind === 'exact') return { exact: match.value };
  if (match.kind === 'prefix') return { prefix: match.value };
  if (match.value.includes('~')) {
    const [from = '', to = ''] = match.value.split('~');
    return {
      regex: intRangeRegex(from === '' ? undefined : Number(from), to === '' ? undefined : Number(to)),
    };
  }
  return globStringMatch(match.value);
}

/** The match of a leaf's route; null when no request can answer its atoms "yes" together. */
export function routeMatchOf(yes: readonly Atom[]): RouteMatchParts | null {
  const services = yes.flatMap((a) => (a.kind === 'service' ? [a.glob] : []));
  const methods = yes.flatMap((a) => (a.kind === 'method' ? [a.glob] : []));
  let pathRegex: string | undefined;
  if (services.length > 0 || methods.length > 0) {
    const service = globIntersectionRegex(services, true, '[^/]*');
    const method = globIntersectionRegex(methods, true, '[^/]*');
    if (service === null || method === null) return null;
    pathRegex = `(?i)/(?:${service ?? '[^/]+'})/(?:${method ?? '[^/]+'})`;
  }
  const headers: { name: string; match: StringMatch }[] = [];
  const matched = new Set(yes.flatMap((a) => (a.kind === 'header' ? [a.name] : [])));
  for (const a of yes) {
    if (a.kind === 'header') headers.push({ name: a.name, match: headerStringMatch(a.match) });
    else if (a.kind === 'present' && !matched.has(a.name)) headers.push({ name: a.name, match: {} });
  }
  return { pathRegex, headers };
}

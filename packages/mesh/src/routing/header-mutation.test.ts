import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata } from '@shoal/rpc/client';
import type { XdsHeaderAddition, XdsHeaderRules } from '@shoal/xds/plugins';
import { applyHeaderMutations, mutatedCopy, routeHeaderMutations } from './header-mutation.js';

const add = (
  name: string,
  value: string,
  append: XdsHeaderAddition['append'] = 'append',
): XdsHeaderAddition => ({
  name,
  value,
  append,
  keepEmptyValue: false,
});
const req = (remove: string[], ...adds: XdsHeaderAddition[]): XdsHeaderRules => ({
  request: { remove, add: adds },
});

describe('header mutations (Envoy request/response_headers_to_add/remove)', () => {
  it('applies each level’s removals then additions, most specific level first, so a wider set wins', () => {
    const m = routeHeaderMutations([
      req(['x-drop'], add('x-a', 'cluster', 'overwrite')),
      req([], add('x-a', 'route', 'overwrite'), add('x-list', 'r')),
      {},
      req([], add('x-a', 'global', 'overwrite'), add('x-list', 'g')),
    ]);
    assert.equal(m.response.length, 0);
    const md = new Metadata({ 'x-drop': '1', 'x-list': 'app', 'x-keep': 'k' });
    const out = mutatedCopy(md, m.request);
    assert.notEqual(out, md, 'the caller’s metadata is not changed');
    assert.equal(md.get('x-drop'), '1');
    assert.deepEqual(out.toJSON(), { 'x-list': ['app', 'r', 'g'], 'x-keep': 'k', 'x-a': 'global' });
  });

  it('add_if_absent and overwrite_if_exists; empty values only with keep_empty_value', () => {
    const md = new Metadata({ present: 'old' });
    applyHeaderMutations(md, [
      {
        remove: [],
        add: [
          add('present', 'new', 'add_if_absent'),
          add('absent', 'new', 'add_if_absent'),
          add('present', 'over', 'overwrite_if_exists'),
          add('missing', 'over', 'overwrite_if_exists'),
          add('empty', ''),
          { ...add('kept', ''), keepEmptyValue: true },
        ],
      },
    ]);
    assert.deepEqual(md.toJSON(), { present: 'over', absent: 'new', kept: '' });
  });

  it('leaves the gRPC transport’s headers alone and carries -bin values as base64', () => {
    const md = new Metadata();
    applyHeaderMutations(md, [
      { remove: ['grpc-timeout'], add: [add('content-type', 'text/plain'), add('x-id-bin', 'AQID')] },
    ]);
    assert.deepEqual([...(md.get('x-id-bin') as Uint8Array)], [1, 2, 3]);
    assert.equal(md.get('content-type'), undefined);
    assert.equal(routeHeaderMutations([{}, {}]).request.length, 0);
  });
});

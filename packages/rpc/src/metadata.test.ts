import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConstantMetadata, Metadata } from './metadata.js';

describe('ConstantMetadata', () => {
  const exchange = new ConstantMetadata({ 'X-Peer-Id': 'node-1', 'x-peer': 'Cg8K' });

  it('checks its keys once, when made', () => {
    assert.throws(() => new ConstantMetadata({ 'bad key': 'v' }), /metadata key "bad key" must match/);
    assert.throws(
      () => new ConstantMetadata({ 'trace-bin': 'AAE=' }),
      /binary values go under keys ending in -bin/,
    );
    assert.throws(
      () => new ConstantMetadata({ 'grpc-timeout': '1S' }),
      /"grpc-timeout" is a reserved header/,
    );
    assert.throws(() => new ConstantMetadata({ ':path': '/x' }), /metadata key ":path" must match/);
    assert.throws(() => new ConstantMetadata({ 'x-a': 'a\nb' }), /metadata "x-a": a text value may not hold/);
  });

  it('is sent and read like metadata set key by key, keys lower-cased', () => {
    const header = new Metadata().addConstant(exchange);
    assert.deepEqual(header.writeTo({}), { 'x-peer-id': 'node-1', 'x-peer': 'Cg8K' });
    assert.equal(header.getString('x-peer-id'), 'node-1');
    assert.deepEqual(
      [...header.entries()],
      [
        ['x-peer-id', ['node-1']],
        ['x-peer', ['Cg8K']],
      ],
    );
  });

  it('replaces values already there, and later edits change only that call', () => {
    const header = new Metadata({ 'x-peer': 'old', 'x-user': 'u', 'token-bin': new Uint8Array([1, 2]) });
    header.addConstant(exchange);
    assert.deepEqual(header.writeTo({}), {
      'x-peer': 'Cg8K',
      'x-user': 'u',
      'token-bin': 'AQI=',
      'x-peer-id': 'node-1',
    });
    const first = new Metadata().addConstant(exchange);
    first.set('x-peer', 'edited');
    first.append('x-peer-id', 'node-2');
    assert.deepEqual(first.writeTo({}), { 'x-peer-id': ['node-1', 'node-2'], 'x-peer': 'edited' });
    assert.deepEqual(new Metadata().addConstant(exchange).writeTo({}), {
      'x-peer-id': 'node-1',
      'x-peer': 'Cg8K',
    });
  });

  it('is handed to the transport as it is only while nothing else was added', () => {
    const only = new Metadata().addConstant(exchange);
    assert.deepEqual(only.constantHeaders, { 'x-peer-id': 'node-1', 'x-peer': 'Cg8K' });
    only.set('x-user', 'u');
    assert.equal(only.constantHeaders, undefined);
    assert.equal(new Metadata({ 'x-user': 'u' }).addConstant(exchange).constantHeaders, undefined);
    assert.equal(Metadata.fromHttpHeaders({ 'x-a': 'a' }).constantHeaders, undefined);
  });

  it('merges into metadata received and not read yet', () => {
    const header = Metadata.fromHttpHeaders({ 'x-user': 'u', ':path': '/a.B/C' });
    header.addConstant(exchange);
    assert.deepEqual(header.writeTo({}), { 'x-user': 'u', 'x-peer-id': 'node-1', 'x-peer': 'Cg8K' });
  });
});

describe('Metadata.writeTo of headers not read yet', () => {
  it('writes text headers as received, leaving out reserved ones', () => {
    const header = Metadata.fromHttpHeaders({ ':path': '/a.B/C', te: 'trailers', 'x-a': 'one, two' });
    assert.deepEqual(header.writeTo({}), { 'x-a': 'one, two' });
  });

  it('decodes binary and repeated headers as the map does', () => {
    const header = Metadata.fromHttpHeaders({ 'x-a': 'a', 'x-list': ['1', '2'], 'id-bin': 'AQI,AwQ=' });
    assert.deepEqual(header.writeTo({}), { 'x-a': 'a', 'x-list': ['1', '2'], 'id-bin': ['AQI=', 'AwQ='] });
  });
});

describe('Metadata lookups in headers not read yet', () => {
  it('answer as the map would, without it', () => {
    const header = Metadata.fromHttpHeaders({
      'x-a': 'a',
      'x-list': ['1', '2'],
      te: 'trailers',
      'id-bin': 'AQI=',
    });
    assert.equal(header.get('X-A'), 'a');
    assert.deepEqual(header.getAll('x-list'), ['1', '2']);
    assert.deepEqual(header.getAll('x-none'), []);
    assert.equal(header.has('x-a'), true);
    assert.equal(header.has('te'), false, 'reserved headers are not metadata');
    assert.equal(header.get('te'), undefined);
    assert.deepEqual(header.get('id-bin'), new Uint8Array([1, 2]), 'binary values are decoded');
    assert.deepEqual(header.getAll('x-list'), ['1', '2'], 'and the same once read');
  });

  it('hand out copies: editing what getAll returned changes nothing', () => {
    const header = new Metadata().addConstant(new ConstantMetadata({ 'x-a': 'a' }));
    header.getAll('x-a').push('b');
    assert.deepEqual(header.writeTo({}), { 'x-a': 'a' });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import {
  ClientConfigureRequestSchema,
  ClientConfigureRequest_RpcType as RpcTypeEnum,
} from '../gen/grpc/testing/messages_pb.js';
import { configFromRequest, parseMetadataFlag, parseRpcFlag } from './client-config.js';
import { FlagError, parseFlags } from './flags.js';

describe('xds interop client flags', () => {
  it('parses --rpc and --metadata as gRPC spells them', () => {
    assert.deepEqual(parseRpcFlag('UnaryCall,EmptyCall,UnaryCall'), ['UnaryCall', 'EmptyCall']);
    assert.deepEqual(
      [...parseMetadataFlag('EmptyCall:rpc-behavior:sleep-1,UnaryCall:X-Env:a:b,EmptyCall:k:v')],
      [
        [
          'EmptyCall',
          [
            ['rpc-behavior', 'sleep-1'],
            ['k', 'v'],
          ],
        ],
        ['UnaryCall', [['x-env', 'a:b']]],
      ],
    );
    assert.equal(parseMetadataFlag('').size, 0);
  });

  it('names the bad item', () => {
    assert.throws(() => parseRpcFlag('UnaryCall,StreamingCall'), /--rpc: unknown RPC type "StreamingCall"/);
    assert.throws(
      () => parseMetadataFlag('UnaryCall:k:v,Ping:k:v'),
      /--metadata\[1\] "Ping:k:v": unknown RPC type/,
    );
    assert.throws(() => parseMetadataFlag('UnaryCall:k'), /--metadata\[0\].*TYPE:KEY:VALUE/);
    assert.throws(() => parseMetadataFlag('UnaryCall:k-bin:AA'), FlagError);
  });

  it('parses --name=value, --name value and bare booleans; rejects unknown flags and bad values', () => {
    const specs = {
      port: { type: 'int', default: 1, min: 0, help: '' },
      id: { type: 'string', help: '' },
      on: { type: 'bool', default: false, help: '' },
    } as const;
    assert.deepEqual(parseFlags(specs, ['--port=5', '--id', 'x', '--on']), { port: 5, id: 'x', on: true });
    assert.deepEqual(parseFlags(specs, ['--on', 'false']), { port: 1, on: false });
    assert.throws(() => parseFlags(specs, ['--nope=1']), /unknown flag --nope/);
    assert.throws(() => parseFlags(specs, ['--port=x']), /--port=x: expected an integer/);
    assert.throws(() => parseFlags(specs, ['--port=-1']), /must be ≥ 0/);
    assert.throws(() => parseFlags(specs, ['--on=yes']), /expected true or false/);
    assert.throws(() => parseFlags(specs, ['--id']), /--id needs a value/);
    assert.throws(() => parseFlags(specs, ['stray']), /unexpected argument "stray"/);
  });

  it('turns a ClientConfigureRequest into a config; timeout 0 keeps the default', () => {
    const request = create(ClientConfigureRequestSchema, {
      types: [RpcTypeEnum.EMPTY_CALL, RpcTypeEnum.UNARY_CALL],
      metadata: [{ type: RpcTypeEnum.EMPTY_CALL, key: 'rpc-behavior', value: 'error-code-5' }],
    });
    const config = configFromRequest(request, 20);
    assert.deepEqual(config.types, ['EmptyCall', 'UnaryCall']);
    assert.deepEqual([...config.metadata], [['EmptyCall', [['rpc-behavior', 'error-code-5']]]]);
    assert.equal(config.timeoutSec, 20);
    assert.equal(
      configFromRequest(create(ClientConfigureRequestSchema, { timeoutSec: 3 }), 20).timeoutSec,
      3,
    );
    assert.throws(
      () => configFromRequest(create(ClientConfigureRequestSchema, { types: [7 as RpcTypeEnum] }), 20),
      /types\[0\]: unknown RpcType 7/,
    );
    assert.throws(
      () =>
        configFromRequest(
          create(ClientConfigureRequestSchema, { metadata: [{ key: 'Bad Key', value: 'v' }] }),
          20,
        ),
      /metadata\[0\].key/,
    );
  });
});

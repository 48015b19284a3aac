import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import { ManualClock } from '../support/clock.js';
import { ConfigGate } from './config-gate.js';

const unavailable = (m: string) => new RpcError(Code.UNAVAILABLE, m);

describe('ConfigGate', () => {
  it('lets waiting calls go on with the first config', async () => {
    const gate = new ConfigGate<string>(new ManualClock(), 'xds:///t:1');
    const waiting = gate.wait(undefined, undefined);
    gate.publish('c1');
    assert.equal(await waiting, 'c1');
    assert.equal(await gate.wait(undefined, undefined), 'c1');
  });

  it('fails waiting and new calls when there is no usable config, until one comes', async () => {
    const gate = new ConfigGate<string>(new ManualClock(), 't');
    const waiting = gate.wait(undefined, undefined);
    gate.fail(unavailable('listener "t" does not exist'), true);
    await assert.rejects(waiting, /listener "t" does not exist/);
    await assert.rejects(gate.wait(undefined, undefined), /does not exist/);
    gate.publish('c2');
    assert.equal(await gate.wait(undefined, undefined), 'c2');
  });

  it('keeps the current config on a non-fatal error, drops it on a fatal one', async () => {
    const gate = new ConfigGate<string>(new ManualClock(), 't');
    gate.publish('good');
    gate.fail(unavailable('NACK'), false);
    assert.equal(gate.current, 'good');
    gate.fail(unavailable('gone'), true);
    assert.equal(gate.current, undefined);
    await assert.rejects(gate.wait(undefined, undefined), /gone/);
  });

  it('ends a wait at the call deadline or on cancel', async () => {
    const clock = new ManualClock();
    const gate = new ConfigGate<string>(clock, 'xds:///t:1');
    const timed = gate.wait(undefined, 100);
    clock.advance(100);
    await assert.rejects(
      timed,
      (e: RpcError) => e.code === Code.DEADLINE_EXCEEDED && /xds:\/\/\/t:1/.test(e.message),
    );
    const ac = new AbortController();
    const cancelled = gate.wait(ac.signal, undefined);
    ac.abort();
    await assert.rejects(cancelled, (e: RpcError) => e.code === Code.CANCELLED);
    assert.equal(clock.pending, 0, 'no timer left behind');
  });
});

// Dubbo's dynamic configuration (configurators) as what the translator sends: weights, disabled
// addresses (through the registry's InstanceHealth), timeout and retries on routes, consumer side
// over provider side; and a provider URL's own timeout.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as docs from '../../test/dubbo-doc-rules.js';
import {
  appInput,
  callOutcome,
  consumer,
  instanceAddress as ep,
  host,
  shopInterface as I,
  PORT,
  shopPath as path,
  reachable,
} from '../../test/dubbo-harness.js';
import { MemoryConfigStore } from '../config/memory-config-store.js';
import { InstanceHealth } from '../registry/instance-health.js';
import { InMemoryRegistry } from '../registry/memory-registry.js';
import { buildMeshInput } from '../translate/mesh-input-builder.js';
import { Translator } from '../translate/translator.js';
import { ConfiguratorRules } from './configurator-rules.js';

const frontend = consumer('shop-frontend');

describe("Dubbo's dynamic configuration", () => {
  it("weight: v2 instances at 25 against v1's default 100", () => {
    const t = new Translator(
      appInput(
        'shop-order',
        [I('OrderService')],
        [{ labels: { orderVersion: 'v1' } }, { labels: { orderVersion: 'v2' } }],
        docs.WEIGHT,
      ),
    );
    const out = callOutcome(t, I('OrderService'), frontend, { path: path('OrderService', 'createOrder') });
    assert.deepEqual(out.clusters[0]!.endpoints, [`${ep(1)} w100`, `${ep(2)} w25`]);
  });

  it('disabled: true on an address kicks that instance out, through the registry as a disable by hand is', async () => {
    // The control plane's wiring: the store's configurators are rules of the registry's InstanceHealth.
    const store = new MemoryConfigStore();
    const backend = new InMemoryRegistry({ store, graceMs: 0 });
    for (const n of [1, 2]) {
      await backend.register({
        nodeId: `shop-user-${n}`,
        app: 'shop-user',
        namespace: 'default',
        hostname: host('shop-user'),
        address: `10.0.0.${n}`,
        port: PORT,
        interfaces: [I('UserService')],
        labels: {},
        weight: 1,
      });
    }
    const health = new InstanceHealth(backend, { rules: new ConfiguratorRules(store) });
    const events: string[] = [];
    health.subscribe((e) => events.push(`${e.reason} ${e.hostnames.join(',')}`));
    const login = () =>
      reachable(new Translator(buildMeshInput(store, health)), I('UserService'), frontend, {
        path: path('UserService', 'login'),
      });
    assert.deepEqual(login(), [ep(1), ep(2)]);

    assert.equal((await store.apply(docs.KICK_OUT(ep(2)))).changes.length, 1);
    assert.deepEqual(login(), [ep(1)]);
    const rule = store.list('DynamicConfig')[0]!.metadata;
    const expected = {
      address: ep(2),
      rule: `DynamicConfig/${rule.namespace}/${rule.name}`,
      reason: 'disabled: true',
    };
    assert.deepEqual(
      health.disabledFor({ hostname: host('shop-user'), address: '10.0.0.2', port: PORT }),
      expected,
    );
    assert.deepEqual(health.disabled(), [expected]);
    assert.deepEqual(events, [`health ${host('shop-user')}`]);
    // Only the rule puts it back: enable says which rule to change.
    assert.throws(() => health.enable(ep(2)), /taken out by DynamicConfig\/.*: change or delete that rule/);

    await store.delete('DynamicConfig', rule.namespace, rule.name);
    assert.deepEqual(login(), [ep(1), ep(2)]);
    assert.deepEqual(health.disabled(), []);
    assert.equal(events.length, 2);
    await health.close();
    await backend.close();
  });

  it("timeout and retries become the route's; consumer side over provider side", () => {
    const rules = `apiVersion: dubbo.apache.org/v1alpha1\nkind: DynamicConfig\nmetadata: {name: "${I('UserService')}::.configurators"}\nspec:\n  ${docs.TIMEOUT_BODY.replace(/\n/g, '\n  ')}\n---\n${docs.CONFIG_REFERENCE_SERVICE}`;
    const t = new Translator(appInput('shop-user', [I('UserService')], [{ labels: {} }], rules));
    const action = (node = frontend) => {
      const rc = t.resource(
        'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
        I('UserService'),
        node,
      )?.message as {
        virtualHosts: {
          routes: {
            action: {
              value: {
                maxStreamDuration?: { maxStreamDuration?: { seconds: bigint } };
                retryPolicy?: { numRetries?: { value: number } | number };
              };
            };
          }[];
        }[];
      };
      return rc.virtualHosts[0]!.routes[0]!.action.value;
    };
    assert.equal(action().maxStreamDuration?.maxStreamDuration?.seconds, 2n);
    const retries = action().retryPolicy?.numRetries;
    assert.equal(typeof retries === 'number' ? retries : retries?.value, 4);
    // shop-order is not shop-frontend: the provider side's timeout, Shoal's default retries.
    const other = action(consumer('shop-order'));
    assert.equal(other.maxStreamDuration?.maxStreamDuration?.seconds, 2n);
  });
});

describe("a Dubbo provider URL's timeout", () => {
  it('is the route timeout of its consumers when no rule sets one', () => {
    const t = new Translator(
      appInput('shop-user', [I('UserService')], [{ labels: { timeout: '3000' } }, { labels: {} }], ''),
    );
    const rc = t.resource(
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
      I('UserService'),
      frontend,
    )?.message as {
      virtualHosts: {
        routes: { action: { value: { maxStreamDuration?: { maxStreamDuration?: { seconds: bigint } } } } }[];
      }[];
    };
    assert.equal(
      rc.virtualHosts[0]!.routes[0]!.action.value.maxStreamDuration?.maxStreamDuration?.seconds,
      3n,
    );
  });
});

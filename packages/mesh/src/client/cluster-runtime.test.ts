import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@shoal/rpc';
import { seededRandom } from '@shoal/testing';
import { envoy, type XdsCluster } from '@shoal/xds';
import { decodeCluster, decodeClusterLoadAssignment } from '@shoal/xds/plugins';
import { type ClusterOptions, edsCluster, loadAssignment } from '../../test/xds-fixtures.js';
import { endpointsFromAssignment } from '../config/endpoints.js';
import { createLbPolicyRegistry } from '../lb/lb-policy-registry.js';
import { ManualClock } from '../support/clock.js';
import { ClusterRuntime } from './cluster-runtime.js';

function cluster(o: ClusterOptions = {}): XdsCluster {
  const r = decodeCluster(edsCluster('c', o));
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return r.value;
}

function endpoints(...ports: number[]) {
  const r = decodeClusterLoadAssignment(
    loadAssignment('c', [{ endpoints: ports.map((port) => ({ port })) }]),
  );
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return endpointsFromAssignment(r.value);
}

describe('ClusterRuntime', () => {
  const registry = createLbPolicyRegistry();

  it('maps every xDS lb policy onto a registry policy', () => {
    const P = envoy.Cluster_LbPolicy;
    const cases: [ClusterOptions, string][] = [
      [{ lbPolicy: P.ROUND_ROBIN }, 'round_robin'],
      [{ lbPolicy: P.RANDOM }, 'random'],
      [{ lbPolicy: P.LEAST_REQUEST }, 'least_request'],
      [{ lbPolicy: P.RING_HASH, ringHash: { minimumRingSize: 64n, maximumRingSize: 128n } }, 'ring_hash'],
      [{ lbPolicy: P.MAGLEV }, 'maglev'],
    ];
    for (const [o, name] of cases) {
      const rt = new ClusterRuntime(cluster(o), { registry, random: seededRandom(1) });
      rt.update(cluster(o), endpoints(1), undefined);
      assert.equal(rt.policyName, name);
      rt.close();
    }
  });

  it('takes outlier detection as decoded, with Envoy’s meaning of enforcement', () => {
    const c = cluster({
      outlierDetection: {
        consecutive5xx: 3,
        interval: durationFromMs(500),
        baseEjectionTime: durationFromMs(1000),
        maxEjectionPercent: 40,
        enforcingSuccessRate: 0,
      },
    });
    const od = c.outlierDetection!;
    assert.equal(od.intervalMs, 500);
    assert.equal(od.baseEjectionTimeMs, 1000);
    assert.equal(od.maxEjectionPercent, 40);
    assert.deepEqual(od.consecutive5xx, { threshold: 3, enforcementPercentage: 100 });
    assert.equal(od.successRate, undefined);
    assert.equal(od.consecutiveGatewayFailure, undefined);
  });

  it('updates endpoints and limits in place, keeping ejections while the policy is unchanged', () => {
    const clock = new ManualClock();
    const od = { consecutive5xx: 1, maxEjectionPercent: 50, baseEjectionTime: durationFromMs(10_000) };
    const rt = new ClusterRuntime(cluster({ outlierDetection: od }), {
      registry,
      random: seededRandom(1),
      clock,
    });
    rt.update(cluster({ outlierDetection: od, maxRequests: 2 }), endpoints(1, 2), undefined);
    const first = rt.balancer;
    const bad = rt.endpoints[0]!;
    rt.balancer.recordResult(bad, Code.INTERNAL);
    assert.deepEqual([...rt.balancer.ejected], [bad.key]);
    rt.update(cluster({ outlierDetection: od, maxRequests: 1 }), endpoints(1, 2, 3), undefined);
    assert.equal(rt.balancer, first, 'same policy: same balancer');
    assert.deepEqual([...rt.balancer.ejected], [bad.key], 'ejection survives an EDS update');
    const release = rt.breaker.acquire();
    assert.throws(() => rt.breaker.acquire(), /max_requests 1/);
    release();
    rt.update(
      cluster({ lbPolicy: envoy.Cluster_LbPolicy.RANDOM, outlierDetection: od }),
      endpoints(1, 2),
      undefined,
    );
    assert.notEqual(rt.balancer, first, 'a new policy builds a new balancer');
    for (let i = 0; i < 10; i++) assert.ok(rt.balancer.pick()!.endpoint.port <= 2);
    rt.close();
  });
});

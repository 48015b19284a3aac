// Kubernetes as a source, through @kubernetes/client-node's informers, against a local server that
// speaks the API's list/watch protocol (kube-api-server.ts; no API server can run here) holding
// Bookinfo as `kubectl get -o json` shows it (test/kubernetes/bookinfo-cluster.json): Services,
// EndpointSlices and Pods become the registry (labels, zones, service accounts), Istio CRDs and a
// GAMMA HTTPRoute become config, an xDS client gets the weighted route; changes flow by watch, a
// 410 Gone relists, bookmarks move the resourceVersion on, and `apply` writes through the server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createXdsClient, ROUTE_CONFIGURATION_TYPE_URL, type XdsClient } from '@shoal/xds';
import { ControlPlane } from '../src/control-plane.js';
import { KubeApiServer, type KubeObject } from './kube-api-server.js';
import { until } from './until.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../test/kubernetes/bookinfo-cluster.json', import.meta.url), 'utf8'),
) as { items: KubeObject[] };
const REVIEWS = 'reviews.bookinfo.svc.cluster.local';

describe('Kubernetes as a source (a local server speaking the list/watch protocol)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-kube-'));
  const api = new KubeApiServer();
  const warnings: string[] = [];
  let cp: ControlPlane;
  let client: XdsClient | undefined;

  before(async () => {
    await api.start();
    api.put(...fixture.items);
    writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig());
    cp = new ControlPlane({
      xdsPort: 0,
      adminPort: 0,
      store: 'kubernetes',
      kubernetes: { kubeconfig: join(dir, 'kubeconfig'), namespaces: ['bookinfo'] },
      log: (level, message, fields) => {
        if (level === 'warn') warnings.push(`${message} ${JSON.stringify(fields ?? {})}`);
      },
    });
    await cp.start();
  });
  after(async () => {
    await client?.close();
    await cp?.stop(0);
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads Services, EndpointSlices and Pods into the registry, with labels, zones and service accounts', async () => {
    await until('reviews endpoints', () => cp.registry.endpoints(REVIEWS).length === 3);
    const svc = cp.registry.service('ratings.bookinfo.svc.cluster.local');
    assert.deepEqual(svc?.ports, [
      { name: 'grpc-ratings', number: 9080, protocol: 'GRPC', targetPort: 9080 },
    ]);
    assert.equal(svc?.source, 'Service');
    assert.deepEqual(
      cp.registry
        .endpoints(REVIEWS)
        .map((e) => [e.address, e.port, e.labels.version, e.locality, e.serviceAccount, e.health]),
      [
        ['10.244.1.12', 9080, 'v1', '/zone-a', 'bookinfo-reviews', 'HEALTHY'],
        // No zone on the slice's endpoint: the pod's topology.kubernetes.io/zone label (no region: region/zone as Istio writes it).
        ['10.244.2.9', 9080, 'v2', '/zone-b', 'bookinfo-reviews', 'HEALTHY'],
        ['10.244.1.13', 9080, 'v3', '/zone-a', 'bookinfo-reviews', 'HEALTHY'],
      ],
    );
    // Informers list, then watch from the list's resourceVersion, asking for bookmarks.
    assert.ok(api.requests.includes('GET /api/v1/namespaces/bookinfo/pods'), api.requests.join('\n'));
    assert.ok(
      api.requests.some((r) =>
        /^GET \/apis\/discovery\.k8s\.io\/v1\/namespaces\/bookinfo\/endpointslices\?allowWatchBookmarks=true&watch=true&resourceVersion=\d+$/.test(
          r,
        ),
      ),
      api.requests.join('\n'),
    );
  });

  it('reads Istio CRDs and a GAMMA HTTPRoute as config; an xDS client gets the route weighted 90/10', async () => {
    await until('config loaded', () => cp.store.list().length === 3);
    assert.deepEqual(
      cp.store.list().map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`),
      [
        'DestinationRule/bookinfo/reviews',
        'VirtualService/bookinfo/ratings',
        'VirtualService/bookinfo/reviews-httproute',
      ],
    );
    assert.equal(
      cp.store.get('VirtualService', 'bookinfo', 'ratings')?.metadata.generation,
      2,
      "the API server's generation",
    );
    assert.equal(cp.store.ownerOf('VirtualService', 'bookinfo', 'ratings'), 'kubernetes');
    client = createXdsClient({
      bootstrap: {
        config: {
          xds_servers: [
            { server_uri: `127.0.0.1:${cp.addresses!.xds.port}`, channel_creds: [{ type: 'insecure' }] },
          ],
          node: { id: 'kube-test', metadata: { NAMESPACE: 'bookinfo' } },
        },
      },
    });
    const route = await new Promise<unknown>((resolve, reject) =>
      client!.watch(ROUTE_CONFIGURATION_TYPE_URL, `${REVIEWS}:9080`, {
        onUpdate: resolve,
        onError: reject,
        onDoesNotExist: () => reject(new Error('no route config')),
      }),
    );
    const text = JSON.stringify(route);
    for (const [cluster, weight] of [
      ['outbound|9080||reviews-v1.bookinfo.svc.cluster.local', 90],
      ['outbound|9080||reviews-v2.bookinfo.svc.cluster.local', 10],
    ] as const) {
      assert.match(text, new RegExp(`"name":"${cluster.replace(/[|.]/g, '\\$&')}","weight":${weight}`), text);
    }
  });

  it('follows watch events, relists after 410 Gone, and resumes from a bookmark', async () => {
    // A pod goes away: its slice loses the endpoint.
    const slice = structuredClone(
      fixture.items.find((o) => o.kind === 'EndpointSlice' && o.metadata.name === 'reviews-8xk2c')!,
    );
    (slice.endpoints as unknown[]).pop();
    api.put(slice);
    await until('v3 gone', () => cp.registry.endpoints(REVIEWS).length === 2);

    // Compaction: resuming watches get 410 and list again, and see a change made meanwhile.
    const listsBefore = api.requests.filter(
      (r) => r === 'GET /apis/networking.istio.io/v1/namespaces/bookinfo/destinationrules',
    ).length;
    api.compact();
    const dr = structuredClone(fixture.items.find((o) => o.kind === 'DestinationRule')!);
    (dr.spec as { subsets: unknown[] }).subsets.pop();
    api.put(dr);
    await until(
      'the change after the 410',
      () => cp.store.get('DestinationRule', 'bookinfo', 'reviews')?.spec.subsets?.length === 2,
    );
    const listsAfter = api.requests.filter(
      (r) => r === 'GET /apis/networking.istio.io/v1/namespaces/bookinfo/destinationrules',
    ).length;
    assert.ok(listsAfter > listsBefore, 'relisted after 410 Gone');

    // A bookmark moves the resourceVersion on: the next watch resumes from it.
    await until('watching again', () => api.watchCount >= 10);
    api.bookmark();
    const bookmarked = api.resourceVersion;
    await new Promise((r) => setTimeout(r, 100));
    api.dropWatches();
    await until('resumed from the bookmark', () =>
      api.requests.some(
        (r) =>
          r.includes('/virtualservices?allowWatchBookmarks=true&watch=true') &&
          r.endsWith(`resourceVersion=${bookmarked}`),
      ),
    );

    // An invalid object in the cluster is left out with a warning, the rest stays.
    api.put({
      ...structuredClone(dr),
      metadata: { ...dr.metadata, name: 'broken', uid: undefined },
      spec: { host: 'ratings', subsets: [{ name: 'v1' }, { name: 'v1' }] },
    });
    await until('warned', () => warnings.some((w) => w.includes('DestinationRule/bookinfo/broken')));
    assert.equal(cp.store.get('DestinationRule', 'bookinfo', 'broken'), undefined);
    assert.match(warnings.find((w) => w.includes('broken')) ?? '', /spec\.subsets\[1\]\.name/);
  });

  it('applies and deletes through the API server, as kubectl apply --server-side does', async () => {
    const result = await cp.store.apply(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: details, namespace: bookinfo}
spec:
  hosts: [details]
  http:
  - route: [{destination: {host: details}}]
    timeout: 3s
`);
    assert.deepEqual(
      result.changes.map((c) => `${c.type} ${c.kind}/${c.name}`),
      ['added VirtualService/details'],
    );
    assert.ok(
      api.requests.includes(
        'PATCH /apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/details?fieldManager=shoal&force=true',
      ),
      api.requests.filter((r) => r.startsWith('PATCH')).join('\n'),
    );
    assert.equal(cp.store.get('VirtualService', 'bookinfo', 'details')?.spec.http?.[0]?.timeout, '3s');
    await assert.rejects(
      cp.store.apply(
        'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: bad, namespace: bookinfo}\nspec: {hosts: ["*"], http: [{route: [{destination: {host: "*"}}]}]}\n',
      ),
      /spec\.http\[0\]\.route\[0\]\.destination\.host/,
    );
    assert.ok(
      !api.requests.some((r) => r.includes('/virtualservices/bad')),
      'nothing invalid reaches the server',
    );
    assert.equal(await cp.store.delete('VirtualService', 'bookinfo', 'details'), true);
    assert.ok(
      api.requests.includes(
        'DELETE /apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/details',
      ),
    );
    assert.equal(cp.store.get('VirtualService', 'bookinfo', 'details'), undefined);
  });
});

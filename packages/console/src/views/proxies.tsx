// Proxies: every xDS client's sync state per type (istioctl proxy-status), and for one client what
// it was sent and ACKed (listeners, routes, clusters, endpoints, secrets), its NACKs, and its
// config dump as a JSON download.

import { useState } from 'preact/hooks';
import { clients } from '../api/live.js';
import { type ConfigDump, configDump, type DumpResource, overallState, TYPES } from '../api/proxies.js';
import { useLoad } from '../components/use-load.js';
import { Badge, ErrorLine, Loading, Section, since } from '../components/widgets.js';
import { href } from '../router.js';

export function ProxiesView({ params }: { params: string[] }) {
  return params[0] ? <ProxyPage nodeId={params[0]} /> : <ProxyStatus />;
}

function ProxyStatus() {
  const list = clients.value;
  return (
    <>
      <h1>Proxies</h1>
      <p class="muted">
        Every client with a live ADS stream, as <code>shoal proxy-status</code> shows it.
      </p>
      <table>
        <caption class="sr-only">xDS clients and their sync state per resource type</caption>
        <thead>
          <tr>
            <th scope="col">Client</th>
            {TYPES.map((t) => (
              <th scope="col" key={t}>
                {t}
              </th>
            ))}
            <th scope="col">Version</th>
            <th scope="col">Implementation</th>
            <th scope="col">Locality</th>
            <th scope="col">Connected</th>
          </tr>
        </thead>
        <tbody>
          {list.map((c) => (
            <tr key={c.streamId}>
              <td>
                <a href={href('proxies', c.nodeId)}>{c.nodeId}</a>
              </td>
              {TYPES.map((t) => (
                <td key={t}>
                  {c.types[t] ? (
                    <Badge state={c.types[t]!.state} />
                  ) : t === 'SDS' ? (
                    <span class="muted" title={NO_SDS}>
                      not asked
                    </span>
                  ) : (
                    '–'
                  )}
                </td>
              ))}
              <td>
                <code>{c.types.CDS?.sentVersion ?? c.types.LDS?.sentVersion ?? '–'}</code>
              </td>
              <td>{c.userAgent || '–'}</td>
              <td>{c.locality || '–'}</td>
              <td>{since(c.connectedSince)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.length === 0 && <p>No xDS client is connected.</p>}
    </>
  );
}

/** Why a client has no SDS status: it never asked for secrets over its ADS stream. */
const NO_SDS =
  'this client asked for no secrets over xDS (SDS). Envoy sidecars get their certificate (default) and root (ROOTCA) by SDS; a proxyless client takes its certificates from files (file_watcher) or the CA API';

const TABS = [
  { type: 'LDS', label: 'Listeners' },
  { type: 'RDS', label: 'Routes' },
  { type: 'CDS', label: 'Clusters' },
  { type: 'EDS', label: 'Endpoints' },
  { type: 'SDS', label: 'Secrets' },
] as const;

function ProxyPage({ nodeId }: { nodeId: string }) {
  const live = clients.value.filter((c) => c.nodeId === nodeId);
  const versions = live
    .map((c) =>
      Object.values(c.types)
        .map((t) => `${t?.sentVersion}/${t?.ackedVersion}`)
        .join(),
    )
    .join();
  const dump = useLoad(() => configDump(nodeId), [nodeId, versions]);
  const [tab, setTab] = useState<(typeof TABS)[number]['type']>('LDS');
  const stream = dump.data?.streams[0];
  const nacks = live.flatMap((c) =>
    Object.entries(c.types).flatMap(([type, t]) =>
      t?.lastNack ? [{ type, state: t.state, ...t.lastNack }] : [],
    ),
  );
  return (
    <>
      <p>
        <a href="#/proxies">Proxies</a> /
      </p>
      <h1>{nodeId}</h1>
      <ErrorLine error={dump.error} />
      {live[0] && (
        <p>
          {live[0].userAgent || 'unknown client'} · {live[0].protocol} · {live[0].peer} ·{' '}
          {live[0].locality || 'no locality'} · state <Badge state={overallState(live[0])} />
        </p>
      )}
      {dump.data && (
        <button type="button" onClick={() => download(dump.data!)}>
          Download config dump (JSON)
        </button>
      )}
      <Section title="NACKs" id="nacks">
        {nacks.length === 0 ? (
          <p>This client has not rejected anything.</p>
        ) : (
          <ul class="problems">
            {nacks.map((n) => (
              <li key={n.type} class="error">
                {n.type} version <code>{n.version}</code> rejected {since(n.at)} ago (code {n.code}
                {n.state === 'NACKED' ? ', still the latest' : ', a later version was accepted'}):{' '}
                <q>{n.message}</q>
              </li>
            ))}
          </ul>
        )}
      </Section>
      {!stream ? (
        !dump.error && <Loading what="the config dump" />
      ) : (
        <section class="card">
          <div role="tablist" aria-label="Resource types">
            {TABS.map((t) => (
              <button
                type="button"
                role="tab"
                key={t.type}
                id={`tab-${t.type}`}
                aria-selected={tab === t.type}
                aria-controls="resources"
                onClick={() => setTab(t.type)}
              >
                {t.label} ({stream.resources[t.type]?.length ?? 0})
              </button>
            ))}
          </div>
          <div role="tabpanel" id="resources" aria-labelledby={`tab-${tab}`}>
            <ResourceList
              type={tab}
              resources={stream.resources[tab] ?? []}
              status={stream.status.types[tab]}
            />
          </div>
        </section>
      )}
    </>
  );
}

function ResourceList(props: {
  type: string;
  resources: DumpResource[];
  status: { state: string; ackedVersion?: string } | undefined;
}) {
  if (props.resources.length === 0)
    return props.type === 'SDS' && !props.status ? (
      <p>Not asked: {NO_SDS}</p>
    ) : (
      <p>No {props.type} resources were sent to this client.</p>
    );
  return (
    <>
      <p>
        {props.type}: <Badge state={props.status?.state ?? 'NOT SENT'} /> ACKed version{' '}
        <code>{props.status?.ackedVersion ?? '–'}</code>
      </p>
      <ul class="resources">
        {props.resources.map((r) => (
          <li key={r.name}>
            <details>
              <summary>
                <strong>{r.name}</strong> <span class="muted">{summarize(props.type, r.resource)}</span>
              </summary>
              <pre>{JSON.stringify(r.resource, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ul>
    </>
  );
}

// biome-ignore lint/suspicious/noExplicitAny: protobuf JSON, read field by field.
type J = Record<string, any>;

/** One line per resource, as istioctl proxy-config prints it. */
function summarize(type: string, r: J): string {
  switch (type) {
    case 'LDS':
      return `route config ${r.apiListener?.apiListener?.rds?.routeConfigName ?? 'inline'}`;
    case 'RDS':
      return (r.virtualHosts ?? [])
        .map((vh: J) => `${vh.name}: ${(vh.routes ?? []).map((rt: J) => clusterOf(rt)).join('; ')}`)
        .join(' | ');
    case 'CDS':
      return `${r.type ?? r.clusterDiscoveryType ?? 'EDS'} ${r.lbPolicy ?? 'ROUND_ROBIN'}${r.outlierDetection ? ' · outlier detection' : ''}${r.circuitBreakers ? ' · circuit breakers' : ''}`;
    case 'EDS':
      return (r.endpoints ?? [])
        .flatMap((l: J) =>
          (l.lbEndpoints ?? []).map((e: J) => {
            const a = e.endpoint?.address?.socketAddress;
            return `${a?.address}:${a?.portValue} ${e.healthStatus ?? 'UNKNOWN'} p${l.priority ?? 0} ${l.locality?.zone ?? ''}`;
          }),
        )
        .join(', ');
    default:
      return '';
  }
}

function clusterOf(route: J): string {
  const a = route.route ?? {};
  if (a.cluster) return a.cluster;
  if (a.weightedClusters)
    return a.weightedClusters.clusters.map((c: J) => `${c.name} ${c.weight}`).join(', ');
  return route.directResponse ? 'direct response' : '–';
}

function download(dump: ConfigDump): void {
  const blob = new Blob([JSON.stringify(dump, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `config_dump-${dump.proxy}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

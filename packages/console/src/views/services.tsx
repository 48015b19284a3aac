// Services: search by interface, app or host; a service's page shows its interfaces, instances,
// subsets and routes, who calls it, and its live rate, errors and p99.

import { useState } from 'preact/hooks';
import { listConfig } from '../api/config.js';
import { clients, lastChange, registryVersion, traffic } from '../api/live.js';
import { appOf, type InstanceLease, listEndpoints, listServices, type Service } from '../api/registry.js';
import { useLoad } from '../components/use-load.js';
import {
  Badge,
  ErrorLine,
  Loading,
  ms,
  percent,
  rate,
  Section,
  since,
  TableHead,
} from '../components/widgets.js';
import { href } from '../router.js';
import { defaultWeights, subsetsOf } from '../rules/rule-builders.js';

export function ServicesView({ params }: { params: string[] }) {
  return params[0] ? <ServicePage host={params[0]} /> : <ServiceList />;
}

function matches(s: Service, q: string): boolean {
  const text = q.trim().toLowerCase();
  if (!text) return true;
  return [s.hostname, appOf(s.hostname), ...s.interfaces].some((v) => v.toLowerCase().includes(text));
}

function ServiceList() {
  const [query, setQuery] = useState('');
  const services = useLoad(listServices, [registryVersion.value]);
  const shown = (services.data ?? []).filter((s) => matches(s, query));
  return (
    <>
      <h1>Services</h1>
      <label class="search">
        Search by interface, app or host{' '}
        <input
          type="search"
          value={query}
          placeholder="greet.v1.GreeterService"
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </label>
      <ErrorLine error={services.error} />
      {!services.data ? (
        <Loading what="services" />
      ) : (
        <table>
          <caption class="sr-only">Services matching the search</caption>
          <TableHead columns={['Host', 'App', 'Interfaces', 'Ports', 'Source']} />
          <tbody>
            {shown.map((s) => (
              <tr key={s.hostname}>
                <td>
                  <a href={href('services', s.hostname)}>{s.hostname}</a>
                </td>
                <td>{appOf(s.hostname)}</td>
                <td>{s.interfaces.join(', ') || '–'}</td>
                <td>{s.ports.map((p) => `${p.number}/${p.protocol ?? p.name}`).join(', ')}</td>
                <td>{s.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {services.data && shown.length === 0 && <p>No service matches “{query}”.</p>}
    </>
  );
}

function ServicePage({ host }: { host: string }) {
  const app = appOf(host);
  const data = useLoad(async () => {
    const [services, endpoints, vs, dr] = await Promise.all([
      listServices(),
      listEndpoints(host),
      listConfig('VirtualService'),
      listConfig('DestinationRule'),
    ]);
    const routed = (hosts: string[]) =>
      hosts.some((h) => h === host || h === app || host.startsWith(`${h}.`));
    return {
      service: services.find((s) => s.hostname === host),
      endpoints,
      virtualServices: vs.filter((o) => routed((o.spec.hosts as string[] | undefined) ?? [])),
      destinationRules: dr.filter((o) => routed([o.spec.host as string])),
    };
  }, [host, registryVersion.value, lastChange.value?.version]);
  const d = data.data;
  const t = traffic.value;
  const edges = (t?.edges ?? []).filter((e) => t?.nodes.find((n) => n.id === e.destination)?.app === app);
  const listeners = d?.service
    ? [...d.service.interfaces, ...d.service.ports.map((p) => `${host}:${p.number}`)]
    : [];
  const callers = clients.value.filter((c) =>
    (c.types.LDS?.subscribed ?? []).some((name) => listeners.includes(name) || name.startsWith(`${app}:`)),
  );
  return (
    <>
      <p>
        <a href="#/services">Services</a> /
      </p>
      <h1>{host}</h1>
      <ErrorLine error={data.error} />
      {!d ? (
        <Loading what="the service" />
      ) : (
        <>
          <Section title="Interfaces and ports" id="svc-interfaces">
            <p>Interfaces: {d.service?.interfaces.join(', ') || 'none announced'}</p>
            <p>Ports: {d.service?.ports.map((p) => `${p.number} (${p.protocol ?? p.name})`).join(', ')}</p>
          </Section>
          <Section title="Live traffic" id="svc-traffic">
            {edges.length === 0 ? (
              <p class="muted">No calls to {app} in the traffic report.</p>
            ) : (
              <table>
                <TableHead columns={['From', 'To', 'Rate', 'Errors', 'p99']} />
                <tbody>
                  {edges.map((e) => (
                    <tr key={`${e.source}>${e.destination}`}>
                      <td>{e.source}</td>
                      <td>{e.destination}</td>
                      <td>{rate(e.requestsPerSecond)}</td>
                      <td>{percent(e.errorRate)}</td>
                      <td>{ms(e.p99Ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <Section title="Instances" id="svc-instances">
            <table>
              <TableHead columns={['Address', 'Version', 'Zone', 'Labels', 'Health', 'Lease', 'From']} />
              <tbody>
                {d.endpoints.map((e) => (
                  <tr key={`${e.address}:${e.port}`}>
                    <td>
                      {e.address}:{e.port}
                    </td>
                    <td>{e.labels.version ?? '–'}</td>
                    <td>{e.locality?.split('/')[1] || '–'}</td>
                    <td>
                      {Object.entries(e.labels)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(', ')}
                    </td>
                    <td>
                      <Badge state={e.health} />
                    </td>
                    <td class="lease">
                      <LeaseAge lease={e.lease} />
                    </td>
                    <td>{e.origin}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title="Subsets and routes" id="svc-routes">
            {d.destinationRules.map((o) => (
              <p key={o.metadata.name}>
                DestinationRule{' '}
                <a href={href('rules', 'edit', o.kind, o.metadata.namespace, o.metadata.name)}>
                  {o.metadata.name}
                </a>
                : subsets {subsetsOf(o).join(', ') || 'none'}
              </p>
            ))}
            {d.virtualServices.map((o) => (
              <p key={o.metadata.name}>
                VirtualService{' '}
                <a href={href('rules', 'edit', o.kind, o.metadata.namespace, o.metadata.name)}>
                  {o.metadata.name}
                </a>
                : default route{' '}
                {defaultWeights(o)
                  .map((w) => `${w.subset || app} ${w.weight} %`)
                  .join(', ')}
                , {((o.spec.http as unknown[]) ?? []).length} route(s)
              </p>
            ))}
            {d.destinationRules.length + d.virtualServices.length === 0 && (
              <p>No VirtualService or DestinationRule.</p>
            )}
            <p>
              <a href={href('rules', 'wizard', host)}>Change its traffic rules</a>
            </p>
          </Section>
          <Section title="Who calls it" id="svc-callers">
            {callers.length === 0 ? (
              <p class="muted">No connected client watches {app}.</p>
            ) : (
              <ul>
                {callers.map((c) => (
                  <li key={c.streamId}>
                    <a href={href('proxies', c.nodeId)}>{c.nodeId}</a> ({c.userAgent || 'unknown client'},{' '}
                    {c.locality || 'no locality'})
                  </li>
                ))}
              </ul>
            )}
          </Section>
        </>
      )}
    </>
  );
}

/** How old a self-registered instance's lease is, and when its stream last spoke (or when it goes). */
function LeaseAge({ lease }: { lease: InstanceLease | undefined }) {
  if (!lease) return <span class="muted">none (config)</span>;
  const age = since(lease.registeredAt);
  if (lease.state === 'ended') {
    const left = lease.expiresAt
      ? Math.max(0, Math.round((Date.parse(lease.expiresAt) - Date.now()) / 1000))
      : 0;
    return (
      <span title={`registered ${lease.registeredAt}; stream ended, kept until ${lease.expiresAt}`}>
        ended, goes in {left}s
      </span>
    );
  }
  return (
    <span
      title={`registered ${lease.registeredAt}${lease.lastHeardAt ? `; last heard ${lease.lastHeardAt}` : ''}`}
    >
      {age}
      {lease.lastHeardAt ? ` (heard ${since(lease.lastHeardAt)} ago)` : ''}
    </span>
  );
}

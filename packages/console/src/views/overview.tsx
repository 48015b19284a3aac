// Overview: counts of services, instances, clients by sync state and config objects; the mesh-wide
// rate, error rate and p99; every validation problem and NACK, each linked to its object.

import { fetchAnalysis } from '../api/analysis.js';
import { clients, lastChange, registryVersion, status, traffic } from '../api/live.js';
import { overallState } from '../api/proxies.js';
import { useLoad } from '../components/use-load.js';
import { ErrorLine, Loading, ms, percent, rate, Section } from '../components/widgets.js';
import { href } from '../router.js';

export function OverviewView(_: { params: string[] }) {
  const s = status.value;
  const states = { SYNCED: 0, STALE: 0, NACKED: 0 } as Record<string, number>;
  for (const c of clients.value) {
    const state = overallState(c);
    states[state] = (states[state] ?? 0) + 1;
  }
  const objects = s ? Object.values(s.objects).reduce((a, b) => a + b, 0) : 0;
  const t = traffic.value;
  const analysis = useLoad(fetchAnalysis, [lastChange.value?.version, registryVersion.value, states.NACKED]);
  return (
    <>
      <h1>Overview</h1>
      <ul class="tiles" aria-label="Counts">
        <Tile label="Services" value={s?.services} link="#/services" />
        <Tile label="Instances" value={s?.endpoints} link="#/instances" />
        <Tile
          label="xDS clients"
          value={clients.value.length}
          link="#/proxies"
          detail={`${states.SYNCED} synced · ${states.STALE} stale · ${states.NACKED} nacked`}
        />
        <Tile
          label="Config objects"
          value={objects}
          link="#/rules"
          detail={
            s
              ? Object.entries(s.objects)
                  .map(([k, n]) => `${n} ${k}`)
                  .join(' · ')
              : ''
          }
        />
      </ul>
      <Section title="Mesh traffic" id="mesh-traffic">
        {t && t.source !== 'none' ? (
          <dl class="figures">
            <dt>Requests</dt>
            <dd>{rate(t.totals.requestsPerSecond)}</dd>
            <dt>Errors</dt>
            <dd>{percent(t.totals.errorRate)}</dd>
            <dt>p99</dt>
            <dd>{ms(t.totals.p99Ms)}</dd>
            <dt>Measured by</dt>
            <dd>
              {t.source}, over {t.windowSeconds}s
            </dd>
          </dl>
        ) : (
          <p class="muted">No traffic data: the control plane has no traffic source yet.</p>
        )}
      </Section>
      <Section title="Problems" id="problems">
        <ErrorLine error={analysis.error} />
        {!analysis.data ? (
          <Loading what="the analysis" />
        ) : analysis.data.errors.length + analysis.data.warnings.length + analysis.data.nacks.length === 0 ? (
          <p>No validation errors, warnings or NACKs.</p>
        ) : (
          <ul class="problems">
            {[...analysis.data.errors, ...analysis.data.warnings].map((i, n) => {
              const [kind = '', ns = '', name = ''] = i.document.split('/');
              return (
                <li key={`i${n}`} class={i.severity}>
                  <span class={`badge ${i.severity === 'error' ? 'bad' : 'warn'}`}>{i.severity}</span>{' '}
                  <a href={href('rules', 'edit', kind, ns, name)}>{i.document}</a> <code>{i.path}</code>:{' '}
                  {i.message}
                </li>
              );
            })}
            {analysis.data.nacks.map((n) => (
              <li key={`${n.nodeId}${n.type}`} class="error">
                <span class="badge bad">NACK</span> <a href={href('proxies', n.nodeId)}>{n.nodeId}</a>{' '}
                rejected {n.type} version <code>{n.version}</code>: {n.message}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

function Tile(props: { label: string; value: number | undefined; link: string; detail?: string }) {
  return (
    <li class="tile">
      <a href={props.link}>
        <span class="value">{props.value ?? '–'}</span>
        <span class="label">{props.label}</span>
        {props.detail && <span class="detail">{props.detail}</span>}
      </a>
    </li>
  );
}

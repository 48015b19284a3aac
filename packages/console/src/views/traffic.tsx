// Traffic graph: apps and versions as nodes, edges with rate, share, error % and p99, updated live
// from the `traffic` event. Every node and edge is also in the table under the graph, so the
// graph's details are reachable by keyboard and screen reader.

import { useEffect, useRef, useState } from 'preact/hooks';
import { traffic } from '../api/live.js';
import { edgeId, shareOf, type TrafficReport } from '../api/traffic.js';
import { ms, percent, rate, Section, TableHead } from '../components/widgets.js';
import type { TrafficGraph } from '../graph/traffic-graph.js';
import { href } from '../router.js';

type Selection = { node: string } | { edge: string } | null;

export function TrafficView(_: { params: string[] }) {
  const box = useRef<HTMLDivElement>(null);
  const graph = useRef<TrafficGraph | null>(null);
  const [selected, setSelected] = useState<Selection>(null);
  const [error, setError] = useState<string | undefined>();
  const report = traffic.value;

  useEffect(() => {
    let dead = false;
    import('../graph/traffic-graph.js').then(
      ({ TrafficGraph }) => {
        if (dead || !box.current) return;
        graph.current = new TrafficGraph(box.current, { onSelect: setSelected });
        if (traffic.value) graph.current.update(traffic.value);
      },
      (err: Error) => setError(`The graph could not load: ${err.message}`),
    );
    return () => {
      dead = true;
      graph.current?.destroy();
      graph.current = null;
    };
  }, []);
  useEffect(() => {
    if (report) graph.current?.update(report);
  }, [report]);
  useEffect(() => {
    graph.current?.select(selected ? ('node' in selected ? selected.node : selected.edge) : null);
  }, [selected]);

  return (
    <>
      <h1>Traffic graph</h1>
      <p class="muted">
        {report && report.source !== 'none'
          ? `Measured by ${report.source} over the last ${report.windowSeconds}s; updated ${new Date(report.at).toLocaleTimeString()}.`
          : 'No traffic data: the control plane has no traffic source yet.'}
      </p>
      {report?.error && <p class="error">The traffic source did not answer: {report.error}</p>}
      {error && <p class="error">{error}</p>}
      <div class="graph-row">
        <div
          ref={box}
          class="graph"
          role="img"
          aria-label="Traffic graph; the same data is in the table below"
        />
        <Details report={report} selected={selected} />
      </div>
      {report && <EdgeTable report={report} onSelect={setSelected} />}
    </>
  );
}

function Details({ report, selected }: { report: TrafficReport | null; selected: Selection }) {
  if (!report || !selected) return <aside class="details card">Select a node or an edge for details.</aside>;
  if ('node' in selected) {
    const n = report.nodes.find((x) => x.id === selected.node);
    const inbound = report.edges.filter((e) => e.destination === selected.node);
    const outbound = report.edges.filter((e) => e.source === selected.node);
    const sum = (list: typeof inbound) => list.reduce((a, e) => a + e.requestsPerSecond, 0);
    return (
      <aside class="details card" aria-live="polite">
        <h2>{n ? `${n.app}${n.version ? ` ${n.version}` : ''}` : selected.node.replace(/^app:/, '')}</h2>
        <p>
          {n?.kind === 'workload'
            ? 'A workload that calls others.'
            : 'A service version that receives calls.'}
        </p>
        <p>
          In: {rate(sum(inbound))}; out: {rate(sum(outbound))}
        </p>
        {n && <a href={href('services', n.app)}>Find {n.app} in Services</a>}
      </aside>
    );
  }
  const e = report.edges.find((x) => edgeId(x.source, x.destination) === selected.edge);
  if (!e) return <aside class="details card">That edge has no traffic now.</aside>;
  return (
    <aside class="details card" aria-live="polite">
      <h2>
        {e.source} → {e.destination}
      </h2>
      <dl class="figures">
        <dt>Rate</dt>
        <dd>{rate(e.requestsPerSecond)}</dd>
        <dt>Share</dt>
        <dd>{shareOf(report, e).toFixed(1)} %</dd>
        <dt>Errors</dt>
        <dd>{percent(e.errorRate)}</dd>
        <dt>p50 / p99</dt>
        <dd>
          {ms(e.p50Ms)} / {ms(e.p99Ms)}
        </dd>
        {e.byStatus && (
          <>
            <dt>By status</dt>
            <dd>
              {Object.entries(e.byStatus)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')}
            </dd>
          </>
        )}
      </dl>
    </aside>
  );
}

function EdgeTable({ report, onSelect }: { report: TrafficReport; onSelect: (s: Selection) => void }) {
  return (
    <Section title="Edges" id="edges">
      <table>
        <TableHead columns={['From', 'To', 'Rate', 'Share', 'Errors', 'p99']} />
        <tbody>
          {report.edges.map((e) => (
            <tr key={edgeId(e.source, e.destination)} data-edge={edgeId(e.source, e.destination)}>
              <td>
                <button type="button" class="link" onClick={() => onSelect({ node: e.source })}>
                  {e.source}
                </button>
              </td>
              <td>
                <button type="button" class="link" onClick={() => onSelect({ node: e.destination })}>
                  {e.destination}
                </button>
              </td>
              <td>
                <button
                  type="button"
                  class="link"
                  onClick={() => onSelect({ edge: edgeId(e.source, e.destination) })}
                >
                  {rate(e.requestsPerSecond)}
                </button>
              </td>
              <td class="share">{shareOf(report, e).toFixed(1)} %</td>
              <td>{percent(e.errorRate)}</td>
              <td>{ms(e.p99Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

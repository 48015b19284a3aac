// Test call: pick an interface and a method (from the registry and server reflection), write a
// JSON body and headers, call through the mesh from the control plane or to one instance, and
// read the response, status, latency and the route decision (route, cluster, endpoint, why).

import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/http.js';
import { registryVersion } from '../api/live.js';
import { listEndpoints, listInterfaces } from '../api/registry.js';
import { type CallResult, listMethods, type MethodInfo, testCall } from '../api/test-call.js';
import { useLoad } from '../components/use-load.js';
import { Badge, ErrorLine, Section } from '../components/widgets.js';

export function TestCallView(_: { params: string[] }) {
  const interfaces = useLoad(listInterfaces, [registryVersion.value]);
  const [target, setTarget] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [method, setMethod] = useState('');
  const [body, setBody] = useState('{}');
  const [headers, setHeaders] = useState('');
  const [result, setResult] = useState<CallResult | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!target && interfaces.data?.[0]) setTarget(interfaces.data[0].name);
  }, [interfaces.data, target]);
  const hosts = interfaces.data?.find((i) => i.name === target)?.targets ?? [];
  const instances = useLoad(
    async () => (await Promise.all(hosts.map((h) => listEndpoints(h.hostname)))).flat(),
    [target, registryVersion.value, hosts.length],
  );
  const methods = useLoad(
    async () =>
      target
        ? (await listMethods(target)).services.filter((s) => s.name === target || hosts.length === 0)
        : [],
    [target],
  );
  const all: (MethodInfo & { full: string })[] = (methods.data ?? []).flatMap((s) =>
    s.methods.map((m) => ({ ...m, full: `${s.name}/${m.name}` })),
  );
  useEffect(() => {
    const first = all[0];
    if (first && !all.some((m) => m.full === method)) {
      setMethod(first.full);
      setBody(JSON.stringify(first.template, null, 2));
    }
  }, [methods.data]);

  const run = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body || '{}');
    } catch (err) {
      setError(`The body is not JSON: ${(err as Error).message}`);
      return;
    }
    const headerMap: Record<string, string> = {};
    for (const line of headers.split('\n').filter((l) => l.trim())) {
      const i = line.indexOf(':');
      if (i <= 0) return setError(`Header line "${line}" is not "name: value"`);
      headerMap[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    setBusy(true);
    try {
      setResult(
        await testCall({
          target,
          method,
          body: parsed,
          headers: headerMap,
          ...(endpoint ? { endpoint } : {}),
        }),
      );
    } catch (err) {
      setResult(undefined);
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Test call</h1>
      <form class="card form" onSubmit={run}>
        <label>
          Interface
          <select value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
            {(interfaces.data ?? []).map((i) => (
              <option key={i.name}>{i.name}</option>
            ))}
          </select>
        </label>
        <label>
          Method
          <select
            value={method}
            onChange={(e) => {
              const m = all.find((x) => x.full === e.currentTarget.value);
              setMethod(e.currentTarget.value);
              if (m) setBody(JSON.stringify(m.template, null, 2));
            }}
          >
            {all.map((m) => (
              <option key={m.full} value={m.full}>
                {m.full} ({m.kind.replace('_', ' ')})
              </option>
            ))}
          </select>
        </label>
        <label>
          Send to
          <select value={endpoint} onChange={(e) => setEndpoint(e.currentTarget.value)}>
            <option value="">the mesh (routed by the control plane's own proxyless client)</option>
            {(instances.data ?? []).map((i) => (
              <option key={`${i.address}:${i.port}`} value={`${i.address}:${i.port}`}>
                instance {i.address}:{i.port} ({i.labels.version ?? 'no version'},{' '}
                {i.locality?.split('/')[1] || 'no zone'})
              </option>
            ))}
          </select>
        </label>
        <label>
          Request body (JSON)
          <textarea
            rows={6}
            value={body}
            onInput={(e) => setBody(e.currentTarget.value)}
            spellcheck={false}
          />
        </label>
        <label>
          Headers (one "name: value" a line)
          <textarea
            rows={2}
            value={headers}
            onInput={(e) => setHeaders(e.currentTarget.value)}
            placeholder="x-user: tester"
          />
        </label>
        <button type="submit" disabled={busy || !method}>
          {busy ? 'Calling…' : 'Call'}
        </button>
        <ErrorLine error={methods.error ?? interfaces.error} />
      </form>
      <ErrorLine error={error} />
      {result && <CallOutcome result={result} />}
    </>
  );
}

function CallOutcome({ result }: { result: CallResult }) {
  const last = result.decisions.at(-1);
  return (
    <Section title="Result" id="call-result">
      <dl class="figures" aria-label="Call outcome">
        <dt>Status</dt>
        <dd>
          <Badge state={result.status.name} /> {result.status.message}
        </dd>
        <dt>Latency</dt>
        <dd>{result.latencyMs.toFixed(1)} ms</dd>
        <dt>Via</dt>
        <dd>{result.via === 'mesh' ? 'the mesh' : `instance ${result.destination?.endpoint ?? ''}`}</dd>
        {last && (
          <>
            <dt>Route</dt>
            <dd>
              {last.route
                ? `${last.route.name || `#${last.route.index}`} (virtual host ${last.virtualHost})`
                : '–'}
            </dd>
            <dt>Cluster</dt>
            <dd>
              <code>{last.cluster ?? '–'}</code>
            </dd>
            <dt>Endpoint</dt>
            <dd>
              {last.endpoint ?? '–'} {last.locality ? `(${last.locality}, priority ${last.priority})` : ''}
            </dd>
          </>
        )}
      </dl>
      {result.decisions.map((d) => (
        <div key={d.attempt}>
          <h3>Why (attempt {d.attempt})</h3>
          <ol class="why">
            {d.why.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
            {d.error && <li class="error">{d.error}</li>}
          </ol>
        </div>
      ))}
      <h3>Response</h3>
      <section aria-label="Response body">
        <pre>{result.response === undefined ? '(none)' : JSON.stringify(result.response, null, 2)}</pre>
      </section>
      {Object.keys(result.trailers).length > 0 && (
        <details>
          <summary>Headers and trailers</summary>
          <pre>{JSON.stringify({ headers: result.headers, trailers: result.trailers }, null, 2)}</pre>
        </details>
      )}
    </Section>
  );
}

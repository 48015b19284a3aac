// Wizards that write real VirtualService and DestinationRule objects for one host: weight shift
// (sliders that always sum to 100), header and method routing, timeout and retries, fault
// injection, outlier detection and circuit breaking. Each shows its diff before it applies.

import { useState } from 'preact/hooks';
import type { ConfigObject } from '../api/config.js';
import { ApplyFlow } from '../components/apply-flow.js';
import {
  type ConnectionPool,
  defaultWeights,
  type Fault,
  newDestinationRule,
  newVirtualService,
  type Outlier,
  subsetsOf,
  withConnectionPool,
  withFault,
  withMatchRoute,
  withOutlierDetection,
  withResilience,
  withWeights,
} from '../rules/rule-builders.js';
import { normalized, setWeight } from '../rules/weights.js';

export interface WizardProps {
  host: string;
  namespace: string;
  vs: ConfigObject | undefined;
  dr: ConfigObject | undefined;
}

export const WIZARDS = [
  { id: 'weights', label: 'Weight shift' },
  { id: 'match', label: 'Header and method routing' },
  { id: 'resilience', label: 'Timeout and retries' },
  { id: 'fault', label: 'Fault injection' },
  { id: 'outlier', label: 'Outlier detection' },
  { id: 'pool', label: 'Circuit breaking' },
] as const;

export function Wizard({ kind, ...props }: WizardProps & { kind: string }) {
  switch (kind) {
    case 'match':
      return <MatchWizard {...props} />;
    case 'resilience':
      return <ResilienceWizard {...props} />;
    case 'fault':
      return <FaultWizard {...props} />;
    case 'outlier':
      return <OutlierWizard {...props} />;
    case 'pool':
      return <PoolWizard {...props} />;
    default:
      return <WeightWizard {...props} />;
  }
}

const vsOf = (p: WizardProps) => p.vs ?? newVirtualService(p.host, p.namespace);
const drOf = (p: WizardProps) => p.dr ?? newDestinationRule(p.host, p.namespace);

function WeightWizard(p: WizardProps) {
  const subsets = subsetsOf(p.dr);
  const stored = new Map(defaultWeights(p.vs).map((w) => [w.subset, w.weight]));
  const [weights, setWeights] = useState(() => normalized(subsets.map((s) => stored.get(s) ?? 0)));
  if (subsets.length === 0)
    return (
      <p>
        The DestinationRule of {p.host} defines no subsets: add subsets (by version label) to shift weights.
      </p>
    );
  return (
    <fieldset>
      <legend>Share of the default route's calls by subset (always 100 % in all)</legend>
      {subsets.map((s, i) => (
        <div class="slider" key={s}>
          <label for={`weight-${s}`}>Subset {s}</label>
          <input
            id={`weight-${s}`}
            type="range"
            min={0}
            max={100}
            step={1}
            value={weights[i]}
            aria-valuetext={`${weights[i]} percent`}
            onInput={(e) => setWeights(setWeight(weights, i, Number(e.currentTarget.value)))}
          />
          <input
            type="number"
            min={0}
            max={100}
            value={weights[i]}
            aria-label={`Subset ${s} percent`}
            onChange={(e) => setWeights(setWeight(weights, i, Number(e.currentTarget.value)))}
          />
          <span aria-hidden="true">%</span>
        </div>
      ))}
      <ApplyFlow
        input={() => ({
          objects: [
            withWeights(
              vsOf(p),
              p.host,
              subsets.map((subset, i) => ({ subset, weight: weights[i]! })),
            ),
          ],
        })}
      />
    </fieldset>
  );
}

function MatchWizard(p: WizardProps) {
  const subsets = subsetsOf(p.dr);
  const [name, setName] = useState('canary-users');
  const [header, setHeader] = useState('x-user');
  const [value, setValue] = useState('tester');
  const [kind, setKind] = useState<'exact' | 'prefix' | 'regex'>('exact');
  const [method, setMethod] = useState('');
  const [subset, setSubset] = useState(subsets.at(-1) ?? '');
  return (
    <fieldset>
      <legend>Send matching calls to one subset (before the default route)</legend>
      <div class="form">
        <label>
          Route name <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Header (empty: any) <input value={header} onInput={(e) => setHeader(e.currentTarget.value)} />
        </label>
        <label>
          Match
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
            <option value="exact">exact</option>
            <option value="prefix">prefix</option>
            <option value="regex">regex</option>
          </select>
        </label>
        <label>
          Header value <input value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
        <label>
          Method (package.Service/Method; empty: any)
          <input
            value={method}
            placeholder="greet.v1.GreeterService/Greet"
            onInput={(e) => setMethod(e.currentTarget.value)}
          />
        </label>
        <label>
          To subset
          <select value={subset} onChange={(e) => setSubset(e.currentTarget.value)}>
            {subsets.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </div>
      <ApplyFlow
        disabled={!name || (!header && !method)}
        input={() => ({
          objects: [
            withMatchRoute(vsOf(p), p.host, {
              name,
              subset,
              ...(header ? { header: { name: header, value, kind } } : {}),
              ...(method ? { method } : {}),
            }),
          ],
        })}
      />
    </fieldset>
  );
}

// biome-ignore lint/suspicious/noExplicitAny: a stored route, read field by field.
type StoredRoute = Record<string, any>;

function firstDefault(vs: ConfigObject | undefined): StoredRoute {
  const http = (vs?.spec.http as StoredRoute[] | undefined) ?? [];
  return [...http].reverse().find((r) => !r.match?.length) ?? {};
}

function ResilienceWizard(p: WizardProps) {
  const route = firstDefault(p.vs);
  const [timeout, setTimeoutValue] = useState<string>(route.timeout ?? '');
  const [attempts, setAttempts] = useState<number>(route.retries?.attempts ?? 0);
  const [perTry, setPerTry] = useState<string>(route.retries?.perTryTimeout ?? '');
  const [retryOn, setRetryOn] = useState<string>(route.retries?.retryOn ?? 'unavailable,cancelled');
  return (
    <fieldset>
      <legend>Timeout and retries of the default route</legend>
      <div class="form">
        <label>
          Timeout (e.g. 2s; empty: none){' '}
          <input value={timeout} onInput={(e) => setTimeoutValue(e.currentTarget.value)} />
        </label>
        <label>
          Retry attempts (0: no retry policy)
          <input
            type="number"
            min={0}
            max={10}
            value={attempts}
            onInput={(e) => setAttempts(Number(e.currentTarget.value))}
          />
        </label>
        <label>
          Per-try timeout{' '}
          <input value={perTry} placeholder="500ms" onInput={(e) => setPerTry(e.currentTarget.value)} />
        </label>
        <label>
          Retry on <input value={retryOn} onInput={(e) => setRetryOn(e.currentTarget.value)} />
        </label>
      </div>
      <ApplyFlow
        input={() => ({
          objects: [
            withResilience(vsOf(p), p.host, {
              ...(timeout ? { timeout } : {}),
              ...(attempts > 0
                ? {
                    retries: {
                      attempts,
                      ...(perTry ? { perTryTimeout: perTry } : {}),
                      ...(retryOn ? { retryOn } : {}),
                    },
                  }
                : {}),
            }),
          ],
        })}
      />
    </fieldset>
  );
}

function FaultWizard(p: WizardProps) {
  const f = firstDefault(p.vs).fault ?? {};
  const [fault, setFault] = useState<Fault>({
    delayPercent: f.delay?.percentage?.value ?? 0,
    fixedDelay: f.delay?.fixedDelay ?? '200ms',
    abortPercent: f.abort?.percentage?.value ?? 0,
    grpcStatus: f.abort?.grpcStatus ?? 'UNAVAILABLE',
  });
  const set = (patch: Partial<Fault>) => setFault({ ...fault, ...patch });
  return (
    <fieldset>
      <legend>Fault injection on the default route (0 % removes it)</legend>
      <div class="form">
        <label>
          Delay, % of calls
          <input
            type="number"
            min={0}
            max={100}
            value={fault.delayPercent}
            onInput={(e) => set({ delayPercent: Number(e.currentTarget.value) })}
          />
        </label>
        <label>
          Delay <input value={fault.fixedDelay} onInput={(e) => set({ fixedDelay: e.currentTarget.value })} />
        </label>
        <label>
          Abort, % of calls
          <input
            type="number"
            min={0}
            max={100}
            value={fault.abortPercent}
            onInput={(e) => set({ abortPercent: Number(e.currentTarget.value) })}
          />
        </label>
        <label>
          Abort with gRPC status
          <select value={fault.grpcStatus} onChange={(e) => set({ grpcStatus: e.currentTarget.value })}>
            {['UNAVAILABLE', 'INTERNAL', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'PERMISSION_DENIED'].map(
              (s) => (
                <option key={s}>{s}</option>
              ),
            )}
          </select>
        </label>
      </div>
      <ApplyFlow input={() => ({ objects: [withFault(vsOf(p), p.host, fault)] })} />
    </fieldset>
  );
}

function OutlierWizard(p: WizardProps) {
  // biome-ignore lint/suspicious/noExplicitAny: a stored policy, read field by field.
  const o = ((p.dr?.spec.trafficPolicy as any)?.outlierDetection ?? {}) as Partial<Outlier>;
  const [on, setOn] = useState(
    p.dr ? Boolean((p.dr.spec.trafficPolicy as Record<string, unknown> | undefined)?.outlierDetection) : true,
  );
  const [v, setV] = useState<Outlier>({
    consecutive5xxErrors: o.consecutive5xxErrors ?? 5,
    interval: o.interval ?? '10s',
    baseEjectionTime: o.baseEjectionTime ?? '30s',
    maxEjectionPercent: o.maxEjectionPercent ?? 10,
  });
  return (
    <fieldset>
      <legend>Outlier detection: eject an instance after consecutive errors</legend>
      <label class="check">
        <input type="checkbox" checked={on} onChange={(e) => setOn(e.currentTarget.checked)} /> Enabled
      </label>
      <div class="form">
        <NumberField
          label="Consecutive errors"
          value={v.consecutive5xxErrors}
          onChange={(n) => setV({ ...v, consecutive5xxErrors: n })}
        />
        <TextField label="Interval" value={v.interval} onChange={(s) => setV({ ...v, interval: s })} />
        <TextField
          label="Base ejection time"
          value={v.baseEjectionTime}
          onChange={(s) => setV({ ...v, baseEjectionTime: s })}
        />
        <NumberField
          label="Max ejection %"
          value={v.maxEjectionPercent}
          onChange={(n) => setV({ ...v, maxEjectionPercent: n })}
        />
      </div>
      <ApplyFlow input={() => ({ objects: [withOutlierDetection(drOf(p), on ? v : undefined)] })} />
    </fieldset>
  );
}

function PoolWizard(p: WizardProps) {
  // biome-ignore lint/suspicious/noExplicitAny: a stored policy, read field by field.
  const c = (p.dr?.spec.trafficPolicy as any)?.connectionPool ?? {};
  const [on, setOn] = useState(Boolean(c.http || c.tcp) || !p.dr);
  const [v, setV] = useState<ConnectionPool>({
    http2MaxRequests: c.http?.http2MaxRequests ?? 100,
    http1MaxPendingRequests: c.http?.http1MaxPendingRequests ?? 10,
    maxRetries: c.http?.maxRetries ?? 3,
    maxConnections: c.tcp?.maxConnections ?? 100,
  });
  return (
    <fieldset>
      <legend>Circuit breaking: limits on calls in flight to the service</legend>
      <label class="check">
        <input type="checkbox" checked={on} onChange={(e) => setOn(e.currentTarget.checked)} /> Enabled
      </label>
      <div class="form">
        <NumberField
          label="Max requests in flight"
          value={v.http2MaxRequests}
          onChange={(n) => setV({ ...v, http2MaxRequests: n })}
        />
        <NumberField
          label="Max pending requests"
          value={v.http1MaxPendingRequests}
          onChange={(n) => setV({ ...v, http1MaxPendingRequests: n })}
        />
        <NumberField
          label="Max retries in flight"
          value={v.maxRetries}
          onChange={(n) => setV({ ...v, maxRetries: n })}
        />
        <NumberField
          label="Max connections"
          value={v.maxConnections}
          onChange={(n) => setV({ ...v, maxConnections: n })}
        />
      </div>
      <ApplyFlow input={() => ({ objects: [withConnectionPool(drOf(p), on ? v : undefined)] })} />
    </fieldset>
  );
}

function NumberField(props: { label: string; value: number; onChange: (n: number) => void }) {
  return (
    <label>
      {props.label}
      <input
        type="number"
        min={0}
        value={props.value}
        onInput={(e) => props.onChange(Number(e.currentTarget.value))}
      />
    </label>
  );
}

function TextField(props: { label: string; value: string; onChange: (s: string) => void }) {
  return (
    <label>
      {props.label}
      <input value={props.value} onInput={(e) => props.onChange(e.currentTarget.value)} />
    </label>
  );
}

// The shell: navigation, the live connection and config version, who may write, and the view of
// the current route. Each view is its own module; the graph and the editor load on demand.

import { useState } from 'preact/hooks';
import { refusal, setToken, token, writeAccess } from './api/auth.js';
import { connected, status } from './api/live.js';
import { route } from './router.js';
import { InstancesView } from './views/instances.js';
import { OverviewView } from './views/overview.js';
import { ProxiesView } from './views/proxies.js';
import { RulesView } from './views/rules.js';
import { ServicesView } from './views/services.js';
import { TestCallView } from './views/test-call.js';
import { TrafficView } from './views/traffic.js';

const VIEWS = [
  { id: 'overview', label: 'Overview', view: OverviewView },
  { id: 'services', label: 'Services', view: ServicesView },
  { id: 'traffic', label: 'Traffic graph', view: TrafficView },
  { id: 'rules', label: 'Traffic rules', view: RulesView },
  { id: 'instances', label: 'Instances', view: InstancesView },
  { id: 'proxies', label: 'Proxies', view: ProxiesView },
  { id: 'call', label: 'Test call', view: TestCallView },
];

export function App() {
  const current = VIEWS.find((v) => v.id === route.value.view) ?? VIEWS[0]!;
  const View = current.view;
  return (
    <div class="shell">
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">Shoal</span>
        <span class={`live ${connected.value ? 'on' : 'off'}`} role="status">
          {connected.value ? 'live' : 'reconnecting…'}
          {status.value ? ` · config v${status.value.configVersion}` : ''}
        </span>
        <Access />
      </header>
      <nav class="side" aria-label="Views">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.id}>
              <a href={`#/${v.id}`} aria-current={v.id === current.id ? 'page' : undefined}>
                {v.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <View params={route.value.params} />
      </main>
    </div>
  );
}

function Access() {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const access = writeAccess.value;
  return (
    <div class="access">
      <span class={`badge ${access.canWrite ? 'ok' : 'warn'}`} title={access.why}>
        {access.canWrite ? 'writes allowed' : 'read-only'}
      </span>
      <span class="sr-only">{access.why}</span>
      <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
        Admin token
      </button>
      {open && (
        <form
          class="token"
          onSubmit={(e) => {
            e.preventDefault();
            setToken(value.trim() || null);
            setOpen(false);
          }}
        >
          <p>{access.why}</p>
          {refusal.value && <p class="error">{refusal.value}</p>}
          <label>
            Admin token{' '}
            <input type="password" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          </label>
          <button type="submit">Use token</button>
          {token.value && (
            <button
              type="button"
              onClick={() => {
                setToken(null);
                setOpen(false);
              }}
            >
              Forget token
            </button>
          )}
        </form>
      )}
    </div>
  );
}

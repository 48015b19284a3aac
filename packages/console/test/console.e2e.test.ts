// The web console in a real browser (Debian's Chromium, driven by playwright-core) against a
// running `shoal demo` that this test starts on ports it picks: every view renders, the three
// instances are found, one is disabled and enabled from the Instances view, a weight shift made in
// the wizard moves ~20 % of the consumer's calls to v2, an invalid YAML field is marked where it
// is, a test call answers with its route decision, a client's config dump downloads, Dubbo's rules
// are listed beside Istio's and edited with their errors at the field, each instance shows its
// lease's age, every control of every view is reachable by keyboard and named for screen readers
// (Chromium's accessibility tree), a tab without the admin token is read-only until given one
// (kept in sessionStorage), and the browser logs no error. Screenshots of each view go to
// screenshots/ (ignored by git); the first view's render time is printed.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnShoal, systemPorts } from '@shoal/testing';
import { type Browser, chromium, type Page } from 'playwright-core';

const shots = fileURLToPath(new URL('../../screenshots/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
// biome-ignore lint/suspicious/noExplicitAny: the suite reads JSON answers loosely.
type Json = any;
const HOST = 'greeter.default.svc.cluster.local';

async function until<T>(
  read: () => Promise<T | undefined> | T | undefined,
  what: string,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the console in Chromium against shoal demo', {
  skip: !existsSync(CHROMIUM) && 'no /usr/bin/chromium',
}, () => {
  let demo: ChildProcess;
  let browser: Browser;
  let page: Page;
  let url = '';
  let tokenFragment = '';
  let output = '';
  const errors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: `${shots}${name}.png`, fullPage: false });
  const view = async (hash: string, heading: string) => {
    await page.goto(`${url}${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  const api = async (path: string) =>
    (await fetch(new URL(path, url))).json() as Promise<Record<string, Json>>;

  /** Replaces `from` with `to` in the YAML editor and waits for `value` to be marked and `path` listed. */
  const breakField = async (from: string, to: string, value: string, path: RegExp) => {
    const editor = page.locator('.cm-content');
    await editor.waitFor();
    await page.waitForFunction((t) => document.querySelector('.cm-content')?.textContent?.includes(t), from);
    // innerText keeps the editor's line breaks (textContent does not).
    // biome-ignore lint/performance/useDomNodeTextContent: see above.
    const text = (await editor.innerText()).replace(from, to);
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(text);
    const marked = page.locator('.cm-line', { hasText: to }).locator('.cm-lintRange-error');
    await marked.first().waitFor({ timeout: 10_000 });
    // Highlighting may split the marked value into several spans.
    assert.equal((await marked.allTextContents()).join(''), value);
    await page.getByText(path).first().waitFor();
  };

  before(async () => {
    mkdirSync(shots, { recursive: true });
    demo = spawnShoal(
      [
        'demo',
        // The metrics port not the default 15020: another demo (the CLI's suite) may hold it on
        // the same addresses.
        ...systemPorts('xds-port', 'admin-port', 'provider-port', 'metrics-port'),
        '--duration',
        '150s',
        '--data-dir',
        mkdtempSync(join(tmpdir(), 'shoal-console-demo-')),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    demo.stdout!.on('data', (d: Buffer) => (output += d));
    demo.stderr!.on('data', (d: Buffer) => (output += d));
    // The URL carries the admin token in its fragment; the console keeps it for the tab.
    const printed = await until(
      () => /shoal console: (http:\/\/\S+\/)(#token=\S+)\n/.exec(output) ?? undefined,
      'the console URL',
      60_000,
    );
    url = printed[1]!;
    tokenFragment = printed[2]!;
    await until(() => (output.includes('Open the console') ? true : undefined), 'the consumer', 60_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      demo.kill('SIGINT');
      const timer = setTimeout(() => demo.kill('SIGKILL'), 8000);
      await once(demo, 'exit');
      clearTimeout(timer);
    }
  });

  it('renders the overview first, fast, and fits 1280x800', async () => {
    await page.goto(`${url}${tokenFragment}`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const ms = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return performance.now() - nav.startTime;
    });
    console.log(`first view (overview heading) rendered ${ms.toFixed(0)} ms after navigation start`);
    // The goal is 1 s on a quiet machine; this one is shared, so only a generous bound is asserted.
    assert.ok(ms < 5000, `first view after ${ms.toFixed(0)} ms`);
    await until(
      async () => ((await page.locator('.tile .value').nth(1).textContent()) === '3' ? true : undefined),
      '3 instances',
    );
    assert.ok(
      await page.evaluate(() => document.documentElement.scrollWidth <= 1280),
      'no horizontal scroll at 1280 px',
    );
    await shot('overview');
  });

  it('is read-only without the admin token, and takes one for this tab only', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const fresh = await context.newPage();
      await fresh.goto(url);
      await fresh.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      const badge = fresh.locator('.access .badge');
      await until(async () => ((await badge.textContent()) === 'read-only' ? true : undefined), 'read-only');
      await fresh.getByRole('button', { name: 'Admin token' }).click();
      assert.match(
        (await fresh.locator('form.token p').first().textContent()) ?? '',
        /writes need the admin token/,
      );
      const token = decodeURIComponent(tokenFragment.replace(/^#token=/, ''));
      await fresh.getByLabel('Admin token').fill(token);
      await fresh.getByRole('button', { name: 'Use token' }).click();
      await until(
        async () => ((await badge.textContent()) === 'writes allowed' ? true : undefined),
        'writes',
      );
      const kept = await fresh.evaluate(() => ({
        session: sessionStorage.getItem('shoal-admin-token'),
        local: localStorage.length,
      }));
      assert.deepEqual(kept, { session: token, local: 0 }, 'kept in sessionStorage, not localStorage');
    } finally {
      await context.close();
    }
  });

  it('finds the three instances by interface, on the service page and in Instances', async () => {
    await view('#/services', 'Services');
    await page.getByLabel('Search by interface, app or host').fill('greet.v1.GreeterService');
    await page.getByRole('link', { name: HOST }).click();
    await page.getByRole('heading', { level: 1, name: HOST }).waitFor();
    for (const ip of ['127.0.0.11', '127.0.0.12', '127.0.0.13'])
      await page.getByRole('cell', { name: new RegExp(`^${ip}:`) }).waitFor();
    // Each self-registered instance shows its lease's age and when its stream last spoke.
    const leases = await page.locator('td.lease').allTextContents();
    assert.equal(leases.length, 3);
    for (const l of leases) assert.match(l, /^\d+[smh] \(heard \d+[smh] ago\)$/);
    await shot('service');
    await view('#/instances', 'Instances');
    const rows = page.locator('tbody tr');
    await until(async () => ((await rows.count()) === 3 ? true : undefined), 'three instance rows');
    const versions = (await page.locator('tbody tr td:nth-child(3)').allTextContents()).sort();
    assert.deepEqual(versions, ['v1', 'v1', 'v2']);
    await shot('instances');
  });

  it('disables an instance with a reason, sees it UNHEALTHY, enables it; a disable for 2s ends on its own', async () => {
    await view('#/instances', 'Instances');
    // One of the two v1 instances, so v1 keeps serving the demo's calls meanwhile.
    const v1 = page.locator('tbody tr', { has: page.getByRole('cell', { name: 'v1', exact: true }) }).first();
    const address = ((await v1.locator('td').first().textContent()) ?? '').trim();
    const row = page.locator(`tr[data-instance="${address}"]`);
    const healthIs = (state: string) =>
      row.locator('.badge', { hasText: new RegExp(`^${state}$`) }).waitFor();
    const apiHealth = async () =>
      (await api('/api/instances')).items.find((i: Json) => i.address === address) as Json;

    await page.getByRole('button', { name: `Disable ${address}` }).click();
    const form = page.getByRole('form', { name: `Disable ${address}` });
    await form.getByLabel('Reason').fill('console test');
    await form.getByRole('button', { name: 'Disable', exact: true }).click();
    await healthIs('UNHEALTHY');
    await row.getByText('disabled', { exact: true }).waitFor();
    await row.getByText(/“console test”, until enabled/).waitFor();
    const disabled = await apiHealth();
    assert.equal(disabled.health, 'UNHEALTHY');
    assert.equal(disabled.disabled.reason, 'console test');
    await shot('instances-disabled');
    await page.getByRole('button', { name: `Enable ${address}` }).click();
    await healthIs('HEALTHY');
    assert.equal((await apiHealth()).disabled, undefined);

    // With a duration, the instance comes back without a click when it ends.
    await page.getByRole('button', { name: `Disable ${address}` }).click();
    await form.getByLabel('For (optional)').fill('2s');
    await form.getByRole('button', { name: 'Disable', exact: true }).click();
    await healthIs('UNHEALTHY');
    assert.match((await row.textContent()) ?? '', /by hand, until /);
    await healthIs('HEALTHY');
    assert.equal((await apiHealth()).health, 'HEALTHY');
  });

  it('shows the live traffic graph with the consumer calling greeter v1', async () => {
    await view('#/traffic', 'Traffic graph');
    await page.locator('tr[data-edge="demo-consumer->greeter:v1"]').waitFor({ timeout: 15_000 });
    await page.locator('.graph canvas').first().waitFor();
    await shot('traffic-graph');
  });

  it('moves 20 % to v2 in the weight wizard, previews the diff, applies, and the split follows', async () => {
    await view(`#/rules/wizard/${HOST}/weights`, 'Traffic rules');
    const v2 = page.getByLabel('Subset v2 percent');
    await v2.fill('20');
    await v2.press('Tab');
    assert.equal(await page.getByLabel('Subset v1 percent').inputValue(), '80', 'the sliders sum to 100');
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const diff = page.locator('pre.diff');
    await diff.waitFor();
    assert.match((await diff.textContent()) ?? '', /\+\s+weight: 20/);
    await shot('rules-wizard');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByText(/Applied: config version \d+/).waitFor();
    const applied = Date.now();
    // The consumer received the weighted route...
    const dump = await until(async () => {
      const d = await api('/debug/config_dump?proxy=demo-consumer');
      const text = JSON.stringify(d.streams?.[0]?.resources?.RDS ?? []);
      return /"weight":20/.test(text) && /"weight":80/.test(text) ? text : undefined;
    }, 'the 80/20 route at the consumer');
    assert.match(dump, /outbound\|\d+\|v2\|greeter/);
    // ...and its calls follow: the v2 edge carries about 20 % within 10 s, once the demo's 5-s
    // window holds only calls made after the shift.
    await view('#/traffic', 'Traffic graph');
    const share = await until(
      async () => {
        const row = page.locator('tr[data-edge="demo-consumer->greeter:v2"] td.share');
        if (Date.now() - applied < 6000 || (await row.count()) === 0) return undefined;
        const value = Number.parseFloat((await row.textContent()) ?? '0');
        return value >= 12 && value <= 28 ? value : undefined;
      },
      'about 20 % on the v2 edge',
      10_000,
    );
    assert.ok(Date.now() - applied < 11_000, 'within 10 s of the apply');
    console.log(`v2 edge share after the shift: ${share} %`);
    await shot('traffic-graph-canary');
  });

  it('marks an invalid YAML field where it is', async () => {
    await view('#/rules/edit/VirtualService/default/greeter', 'Traffic rules');
    await breakField('weight: 20', 'weight: -5', '-5', /spec\.http\[0\]\.route\[1\]\.weight/);
    await shot('rules-yaml-error');
  });

  it('lists the history and rolls the weight shift back in one click', async () => {
    await view('#/rules/history', 'Traffic rules');
    const row = page.locator('tbody tr', { hasText: 'console' }).first();
    await row.waitFor();
    await page
      .getByRole('button', { name: /^Diff of v/ })
      .first()
      .click();
    await page.locator('pre.diff').first().waitFor();
    await shot('rules-history');
    const rollback = page.getByRole('button', { name: /^Roll back to v/ }).first();
    await rollback.click();
    await page.getByText(/Rolled back to version \d+/).waitFor();
    const vs = await api('/api/config/vs/default/greeter');
    assert.deepEqual(
      vs.spec.http[0].route.map((r: { destination: { subset: string } }) => r.destination.subset),
      ['v1'],
    );
  });

  it("lists Dubbo's rules beside Istio's and marks an invalid field of one in the YAML editor", async () => {
    // A condition rule as Dubbo Admin would write it (Dubbo's YAML), for an interface the demo
    // does not serve, so the demo's traffic is not touched.
    const rule = [
      'configVersion: v3.0',
      'scope: service',
      'force: false',
      'enabled: true',
      'key: org.apache.dubbo.samples.CommentService',
      'conditions:',
      '  - method=getComment => region=Hangzhou',
      '',
    ].join('\n');
    const token = decodeURIComponent(tokenFragment.replace(/^#token=/, ''));
    const applied = await fetch(new URL('/api/apply', url), {
      method: 'POST',
      body: rule,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
    });
    assert.equal(applied.status, 200, await applied.text());
    const name = 'org.apache.dubbo.samples.CommentService::.condition-router';
    await view('#/rules', 'Traffic rules');
    const dubbo = page.getByRole('region', { name: 'Dubbo rules' });
    await dubbo.getByRole('link', { name }).waitFor();
    assert.match(
      (await dubbo.locator('tbody tr').first().textContent()) ?? '',
      /ConditionRoute.*service.*CommentService/,
    );
    const istio = page.getByRole('region', { name: 'Istio objects' });
    await istio.getByRole('link', { name: 'greeter' }).first().waitFor();
    await shot('rules-list');
    await dubbo.getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 2, name: `ConditionRoute default/${name}` }).waitFor();
    await breakField('force: false', 'force: maybe', 'maybe', /spec\.force/);
    await shot('rules-dubbo-error');
  });

  it('runs a test call through the mesh and shows the route decision', async () => {
    await view('#/call', 'Test call');
    const method = page.getByLabel('Method');
    await until(
      async () => ((await method.inputValue()) === 'greet.v1.GreeterService/Greet' ? true : undefined),
      'methods by reflection',
    );
    await page.getByLabel('Request body (JSON)').fill('{"name": "console"}');
    await page.getByRole('button', { name: 'Call' }).click();
    const result = page.getByLabel('Call outcome');
    await result.waitFor();
    assert.match((await result.textContent()) ?? '', /OK/);
    assert.match((await result.textContent()) ?? '', /outbound\|\d+\|v1\|greeter/);
    assert.match((await page.getByLabel('Response body').textContent()) ?? '', /console/);
    await shot('test-call');
  });

  it("opens a client's config dump and downloads it as JSON", async () => {
    await view('#/proxies', 'Proxies');
    // The SDS column: a client's secrets state, or that it asked for none (a proxyless client).
    const syncz = await api('/debug/syncz');
    const sds = syncz.clients.find((c: Json) => c.nodeId === 'demo-consumer')?.types?.SDS;
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'demo-consumer' }) });
    assert.equal((await row.locator('td').nth(5).textContent())?.trim(), sds ? sds.state : 'not asked');
    await page.getByRole('link', { name: 'demo-consumer' }).click();
    await page.getByRole('heading', { level: 1, name: 'demo-consumer' }).waitFor();
    await page.getByRole('tab', { name: /Routes/ }).click();
    await page
      .getByText(/outbound\|\d+\|v1\|greeter/)
      .first()
      .waitFor();
    await shot('proxy-config');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download config dump (JSON)' }).click(),
    ]);
    const dump = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    assert.equal(dump.proxy, 'demo-consumer');
    assert.ok(dump.streams[0].resources.CDS.length > 0);
  });

  it('reaches every control by keyboard, each with a name for screen readers', async () => {
    // Chromium's own accessibility tree names the focused element, as a screen reader hears it.
    const cdp = await page.context().newCDPSession(page);
    const focused = async () => {
      const { result } = await cdp.send('Runtime.evaluate', { expression: 'document.activeElement' });
      const { nodes } = await cdp.send('Accessibility.getPartialAXTree', {
        objectId: result.objectId!,
        fetchRelatives: false,
      });
      const ax = nodes.find((n) => !n.ignored) ?? nodes[0];
      const [tag, path] = await page.evaluate(() => {
        const e = document.activeElement as HTMLElement;
        const path: number[] = [];
        for (let n: Element | null = e; n?.parentElement; n = n.parentElement)
          path.unshift([...n.parentElement.children].indexOf(n));
        return [`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className}`, path.join('.')];
      });
      return {
        tag,
        path,
        role: String(ax?.role?.value ?? ''),
        name: String(ax?.name?.value ?? '').trim(),
        inEditor: tag.includes('cm-content'),
      };
    };
    for (const [hash, heading] of [
      ['#/overview', 'Overview'],
      ['#/services', 'Services'],
      [`#/services/${HOST}`, HOST],
      ['#/traffic', 'Traffic graph'],
      ['#/rules', 'Traffic rules'],
      [`#/rules/wizard/${HOST}/weights`, 'Traffic rules'],
      ['#/rules/edit', 'Traffic rules'],
      ['#/rules/history', 'Traffic rules'],
      ['#/call', 'Test call'],
      ['#/proxies', 'Proxies'],
      ['#/proxies/demo-consumer', 'demo-consumer'],
    ] as const) {
      await view(hash, heading);
      await page.waitForTimeout(500);
      const countControls = () =>
        page.evaluate(() => {
          const all = [
            ...document.querySelectorAll<HTMLElement>(
              'a[href], button, input, select, textarea, [tabindex="0"], [contenteditable="true"]',
            ),
          ];
          return all.filter((e) => !(e as HTMLButtonElement).disabled && e.offsetParent !== null).length;
        });
      const controls = await countControls();
      await page.locator('body').focus();
      const seen = new Map<string, { role: string; name: string }>();
      const unnamed: string[] = [];
      for (let i = 0; i < controls + 5; i++) {
        const before = await focused().catch(() => undefined);
        // CodeMirror keeps Tab for indenting; Esc, then Tab, leaves it (as the page says).
        if (before?.inEditor) await page.keyboard.press('Escape');
        await page.keyboard.press('Tab');
        const f = await focused();
        // Past the last control focus leaves the page for a moment (body); Tab goes on from there.
        if (f.tag.startsWith('body')) continue;
        seen.set(f.path, f);
        if (!f.name) unnamed.push(`${f.tag} (${f.role})`);
      }
      assert.deepEqual(unnamed, [], `focusable controls without an accessible name on ${hash}`);
      // Live data may take a row away meanwhile (an edge whose calls left the traffic window).
      const expected = Math.min(controls, await countControls());
      assert.ok(seen.size >= expected - 1, `${hash}: reached ${seen.size} of ${expected} controls by Tab`);
    }
  });

  it('logged no error in the browser console', () => {
    assert.deepEqual(errors, []);
  });
});

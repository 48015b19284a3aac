// Traffic rules: the stored Istio objects and Dubbo's own rules (condition, tag, dynamic
// configuration) beside them, the wizards for one host, the YAML editor, and the history with
// rollback. Routes: #/rules, #/rules/wizard/HOST[/WIZARD],
// #/rules/edit[/KIND/NAMESPACE/NAME], #/rules/history.

import { type ConfigObject, listConfig } from '../api/config.js';
import { lastChange, registryVersion } from '../api/live.js';
import { listServices } from '../api/registry.js';
import { useLoad } from '../components/use-load.js';
import { ErrorLine, Loading, Section, TableHead } from '../components/widgets.js';
import { href } from '../router.js';
import { familyOf } from '../rules/templates.js';
import { HistoryView } from './history.js';
import { WIZARDS, Wizard } from './rule-wizards.js';
import { YamlEdit } from './yaml-edit.js';

export function RulesView({ params }: { params: string[] }) {
  const [page = 'list', ...rest] = params;
  return (
    <>
      <h1>Traffic rules</h1>
      <nav aria-label="Traffic rules" class="tabs">
        <a href="#/rules" aria-current={page === 'list' ? 'page' : undefined}>
          Rules
        </a>
        <a href="#/rules/edit" aria-current={page === 'edit' ? 'page' : undefined}>
          YAML editor
        </a>
        <a href="#/rules/history" aria-current={page === 'history' ? 'page' : undefined}>
          History
        </a>
      </nav>
      {page === 'wizard' && rest[0] ? (
        <WizardPage host={rest[0]} kind={rest[1] ?? 'weights'} />
      ) : page === 'edit' ? (
        <YamlEdit key={rest.join('/')} kind={rest[0]} namespace={rest[1]} name={rest[2]} />
      ) : page === 'history' ? (
        <HistoryView />
      ) : (
        <RuleList />
      )}
    </>
  );
}

function RuleList() {
  const objects = useLoad(() => listConfig(), [lastChange.value?.version]);
  const services = useLoad(listServices, [registryVersion.value]);
  return (
    <>
      <Section title="Change the traffic of a service" id="wizard-hosts">
        <ul class="inline">
          {(services.data ?? []).map((s) => (
            <li key={s.hostname}>
              <a href={href('rules', 'wizard', s.hostname)}>{s.hostname}</a>
            </li>
          ))}
        </ul>
      </Section>
      <ErrorLine error={objects.error} />
      {!objects.data ? (
        <Loading what="config" />
      ) : (
        <>
          <Section title="Istio objects" id="stored-istio">
            <ObjectTable objects={objects.data.filter((o) => familyOf(o.apiVersion) === 'Istio')} />
          </Section>
          <Section title="Dubbo rules" id="stored-dubbo">
            <p class="muted">
              Condition routes, tag routes and dynamic configuration, under Dubbo's rule names (as Dubbo Admin
              writes them); new ones from the YAML editor.
            </p>
            <ObjectTable objects={objects.data.filter((o) => familyOf(o.apiVersion) === 'Dubbo')} dubbo />
          </Section>
        </>
      )}
    </>
  );
}

function ObjectTable({ objects, dubbo }: { objects: ConfigObject[]; dubbo?: boolean }) {
  if (objects.length === 0) return <p class="muted">None stored.</p>;
  const columns = dubbo
    ? ['Kind', 'Name', 'Scope', 'Key', 'Enabled', 'Version']
    : ['Kind', 'Namespace', 'Name', 'Version'];
  return (
    <table>
      <TableHead columns={columns} />
      <tbody>
        {objects.map((o) => {
          const link = (
            <a href={href('rules', 'edit', o.kind, o.metadata.namespace, o.metadata.name)}>
              {o.metadata.name}
            </a>
          );
          return (
            <tr key={`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`}>
              <td>{o.kind}</td>
              {dubbo ? (
                <>
                  <td>{link}</td>
                  <td>{String(o.spec.scope ?? (o.kind === 'TagRoute' ? 'application' : ''))}</td>
                  <td>{String(o.spec.key ?? '')}</td>
                  <td>{o.spec.enabled === false ? 'no' : 'yes'}</td>
                </>
              ) : (
                <>
                  <td>{o.metadata.namespace}</td>
                  <td>{link}</td>
                </>
              )}
              <td>{o.metadata.resourceVersion}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function WizardPage({ host, kind }: { host: string; kind: string }) {
  const short = host.split('.')[0]!;
  const data = useLoad(async () => {
    const [vs, dr] = await Promise.all([listConfig('VirtualService'), listConfig('DestinationRule')]);
    const forHost = (h: string) => h === host || h === short || host.startsWith(`${h}.`);
    return {
      vs: vs.find((o) => ((o.spec.hosts as string[] | undefined) ?? []).some(forHost)),
      dr: dr.find((o) => forHost(o.spec.host as string)),
    };
  }, [host, lastChange.value?.version]);
  const d = data.data;
  // Rules name the host as their users wrote it; new ones use the short name, as the demo does.
  const written = (d?.dr?.spec.host as string | undefined) ?? short;
  return (
    <>
      <h2>{host}</h2>
      <nav aria-label="Wizards" class="tabs">
        {WIZARDS.map((w) => (
          <a
            key={w.id}
            href={href('rules', 'wizard', host, w.id)}
            aria-current={w.id === kind ? 'page' : undefined}
          >
            {w.label}
          </a>
        ))}
      </nav>
      <ErrorLine error={data.error} />
      {!d ? (
        <Loading what="the rules" />
      ) : (
        <Wizard
          key={kind}
          kind={kind}
          host={written}
          namespace={d.vs?.metadata.namespace ?? d.dr?.metadata.namespace ?? 'default'}
          vs={d.vs}
          dr={d.dr}
        />
      )}
    </>
  );
}

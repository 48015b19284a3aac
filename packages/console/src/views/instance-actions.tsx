// Taking an instance out of service from the Instances view, as `shoal instance disable|enable`
// does: what took it out (by hand with a reason and maybe an end, or a Dubbo rule), a Disable form
// with a reason and an optional duration, and Enable for a disable made by hand. A rule's disable
// is undone by changing the rule, so it offers no button.

import { useState } from 'preact/hooks';
import { disableInstance, enableInstance, type Instance } from '../api/instances.js';
import { ErrorLine } from '../components/widgets.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Why an instance is out of service: a `disabled` or `draining` badge and the reason. */
export function OutOfService({ instance }: { instance: Instance }) {
  const d = instance.disabled;
  if (d) {
    const why = d.rule
      ? `${d.reason} in ${d.rule}`
      : `${d.reason ? `“${d.reason}”` : 'by hand'}, ${d.until ? `until ${new Date(d.until).toLocaleTimeString()}` : 'until enabled'}`;
    return (
      <span class="out-of-service">
        <span class="badge bad">disabled</span> <span class="muted">{why}</span>
      </span>
    );
  }
  return instance.health === 'DRAINING' ? (
    <span class="out-of-service">
      <span class="badge warn">draining</span> <span class="muted">shutting down</span>
    </span>
  ) : null;
}

/** Disable… (opening the form) or Enable, for one instance. */
export function InstanceAction({
  instance,
  editing,
  onEdit,
  onDone,
}: {
  instance: Instance;
  editing: boolean;
  onEdit: (open: boolean) => void;
  onDone: () => void;
}) {
  const [error, setError] = useState<string | undefined>(undefined);
  const d = instance.disabled;
  if (d?.rule) return <span class="muted">change the rule</span>;
  if (d) {
    const enable = () =>
      enableInstance(instance.address).then(
        () => {
          setError(undefined);
          onDone();
        },
        (err) => setError(message(err)),
      );
    return (
      <>
        <button type="button" aria-label={`Enable ${instance.address}`} onClick={enable}>
          Enable
        </button>
        <ErrorLine error={error} />
      </>
    );
  }
  return (
    <button
      type="button"
      aria-label={`Disable ${instance.address}`}
      aria-expanded={editing}
      onClick={() => onEdit(!editing)}
    >
      Disable…
    </button>
  );
}

/** The Disable form: a reason for whoever lists the instances, and how long (empty: until enabled). */
export function DisableForm({
  instance,
  onClose,
  onDone,
}: {
  instance: Instance;
  onClose: () => void;
  onDone: () => void;
}) {
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await disableInstance({
        address: instance.address,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(duration.trim() ? { for: duration.trim() } : {}),
      });
      onDone();
      onClose();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form disable-form" onSubmit={submit} aria-label={`Disable ${instance.address}`}>
      <label>
        Reason
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="bad disk" />
      </label>
      <label>
        For (optional)
        <input
          value={duration}
          onInput={(e) => setDuration(e.currentTarget.value)}
          placeholder="30s, 10m, 1h; empty: until enabled"
        />
      </label>
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          Disable
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      <ErrorLine error={error} />
    </form>
  );
}

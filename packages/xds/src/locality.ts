// Where a workload runs, in the one spelling Shoal uses on both sides of the wire: Envoy's
// config.core.v3.Locality as its proto3 JSON mapping (and protobuf-es) spell it, `region`, `zone`,
// `subZone` (the proto field is `sub_zone`, which a bootstrap file uses and proto3 JSON also
// accepts), and as Istio writes it in text, `region/zone/subzone` (WorkloadEntry.locality, the
// `istio-locality` label, DestinationRule localityLbSetting). The mesh sends it in its Node and
// the control plane reads it there, in registrations and in endpoints.
// Envoy: config.core.v3.Locality; Istio: networking.v1 WorkloadEntry.locality, the istio-locality label.

/** A locality with empty strings for unset parts. */
export interface XdsLocality {
  readonly region: string;
  readonly zone: string;
  readonly subZone: string;
}

/** `region/zone/subzone` → a locality; missing parts are empty. */
export function parseLocality(text: string | undefined): XdsLocality {
  const [region = '', zone = '', subZone = ''] = (text ?? '').split('/');
  return { region, zone, subZone };
}

/** `region/zone/subzone` without trailing empty parts (as Istio writes it); undefined when all are empty. */
export function formatLocality(l: Partial<XdsLocality> | undefined): string | undefined {
  if (!l) return undefined;
  const parts = [l.region ?? '', l.zone ?? '', l.subZone ?? ''];
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 0 ? undefined : parts.join('/');
}

/** A stable key for a locality, for maps and duplicate checks. */
export function localityKey(l: XdsLocality): string {
  return JSON.stringify([l.region, l.zone, l.subZone]);
}

// Localities as Istio writes them: `region/zone/subzone` (WorkloadEntry.locality, the
// `istio-locality` label) and Envoy's core.v3.Locality {region, zone, sub_zone}.

export interface Locality {
  region: string;
  zone: string;
  subzone: string;
}

export function parseLocality(text: string | undefined): Locality {
  const [region = '', zone = '', subzone = ''] = (text ?? '').split('/');
  return { region, zone, subzone };
}

/** `region/zone/subzone`, without trailing empty parts; undefined when all are empty. */
export function formatLocality(l: Partial<Locality> | undefined): string | undefined {
  if (!l) return undefined;
  const parts = [l.region ?? '', l.zone ?? '', l.subzone ?? ''];
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 0 ? undefined : parts.join('/');
}

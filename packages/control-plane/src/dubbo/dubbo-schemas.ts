// Shapes of Dubbo's rules as JSON Schema (checked by ajv, like the Istio kinds): field names and
// types only; the condition strings, versions and values are checked by validate-dubbo-rules.ts.
// Dubbo: the fields ConditionRouterRule, TagRouterRule, ConfiguratorConfig/ConfigItem and the mesh
// rule models read (and Dubbo Admin writes: priority, type, enabled per item).

import {
  bool,
  int,
  list,
  mapOf,
  num,
  obj,
  oneOfValues,
  type Schema,
  str,
  strList,
  strMap,
} from '../config/schema-builders.js';

const scope = oneOfValues('service', 'application');
const common = {
  configVersion: str,
  scope,
  key: str,
  enabled: bool,
  force: bool,
  runtime: bool,
  priority: int,
};

const stringMatch = obj({ exact: str, prefix: str, regex: str, wildcard: str, empty: str, noempty: str });
const listStringMatch = obj({ oneof: list(stringMatch) }, ['oneof']);
const paramMatch = obj({ key: str, value: stringMatch }, ['key', 'value']);
const addressMatch = obj({ wildcard: str, cird: str, exact: str });

// Conditions are strings (v3.0) or {from, to} (v3.1): their shape depends on configVersion.
const conditionRoute = obj({ ...common, conditions: { type: 'array' } }, ['conditions']);

const tagRoute = obj(
  {
    ...common,
    tags: list(obj({ name: str, match: list(paramMatch), addresses: strList }, ['name'])),
  },
  ['tags'],
);

const scalar: Schema = { type: ['string', 'number', 'boolean'] };
const configItem = obj(
  {
    side: oneOfValues('provider', 'consumer'),
    type: str,
    enabled: bool,
    addresses: strList,
    providerAddresses: strList,
    services: strList,
    applications: strList,
    match: obj({
      address: addressMatch,
      providerAddress: addressMatch,
      service: listStringMatch,
      app: listStringMatch,
      application: listStringMatch,
      param: list(paramMatch),
    }),
    parameters: mapOf(scalar),
  },
  ['parameters'],
);
const dynamicConfig = obj({ configVersion: str, scope, key: str, enabled: bool, configs: list(configItem) }, [
  'configs',
]);

const doubleMatch = obj({ exact: num, range: obj({ start: num, end: num }), mod: num });
const methodMatch = obj({
  name_match: stringMatch,
  argc: int,
  args: list(
    obj(
      {
        index: int,
        type: str,
        str_value: listStringMatch,
        num_value: obj({ oneof: list(doubleMatch) }, ['oneof']),
        bool_value: obj({ exact: bool }),
      },
      ['index'],
    ),
  ),
  argp: list(stringMatch),
  headers: mapOf(stringMatch),
});
const matchRequest = obj({
  name: str,
  method: methodMatch,
  sourceLabels: strMap,
  attachments: obj({ dubboContext: mapOf(stringMatch), tracingContext: mapOf(stringMatch) }),
  headers: mapOf(stringMatch),
});
const destinationFields = { host: str, subset: str, port: int };
const routeDestination = obj(
  {
    destination: obj(
      {
        ...destinationFields,
        fallback: obj({ destination: obj(destinationFields, ['host']), weight: int }, ['destination']),
      },
      ['host'],
    ),
    weight: int,
  },
  ['destination'],
);
const dubboVirtualService = obj(
  {
    hosts: strList,
    dubbo: list(
      obj(
        {
          name: str,
          services: list(stringMatch),
          routedetail: list(
            obj({ name: str, match: list(matchRequest), route: list(routeDestination) }, ['route']),
          ),
        },
        ['routedetail'],
      ),
    ),
  },
  ['hosts', 'dubbo'],
);

/** Spec schemas of the Dubbo kinds (the DestinationRule is Istio's, see istio-schemas.ts). */
export const DUBBO_SPEC_SCHEMAS = {
  ConditionRoute: conditionRoute,
  TagRoute: tagRoute,
  DynamicConfig: dynamicConfig,
  DubboVirtualService: dubboVirtualService,
} as const;

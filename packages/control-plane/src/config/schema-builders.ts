// Small builders for the JSON Schemas that describe Istio object shapes (checked by ajv).
// They mirror the OpenAPI schemas in Istio's CRDs: types and required fields only; the
// semantic rules live in the validate-*.ts files.

export type Schema = Record<string, unknown>;

export const str: Schema = { type: 'string' };
export const bool: Schema = { type: 'boolean' };
export const num: Schema = { type: 'number' };
export const int: Schema = { type: 'integer' };
export const strList: Schema = { type: 'array', items: str };
export const strMap: Schema = { type: 'object', additionalProperties: str };

export function intRange(minimum: number, maximum?: number): Schema {
  return maximum === undefined ? { type: 'integer', minimum } : { type: 'integer', minimum, maximum };
}

export function numRange(minimum: number, maximum?: number): Schema {
  return maximum === undefined ? { type: 'number', minimum } : { type: 'number', minimum, maximum };
}

export function list(items: Schema): Schema {
  return { type: 'array', items };
}

export function mapOf(values: Schema): Schema {
  return { type: 'object', additionalProperties: values };
}

export function oneOfValues(...values: string[]): Schema {
  return { type: 'string', enum: values };
}

/** A closed object: unknown fields are reported, as `kubectl apply` does with strict field validation. */
export function obj(properties: Record<string, Schema>, required: string[] = []): Schema {
  const schema: Schema = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema.required = required;
  return schema;
}

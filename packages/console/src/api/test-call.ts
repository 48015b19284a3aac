// Test calls from the control plane: methods by server reflection, and a call through the mesh or
// to one instance, answered with the status, latency, response and the mesh's routing decisions.

import { get, request } from './http.js';

export interface MethodInfo {
  name: string;
  kind: 'unary' | 'server_streaming' | 'client_streaming' | 'bidi_streaming';
  input: string;
  output: string;
  template: unknown;
}

export interface Decision {
  configVersion: number;
  path: string;
  virtualHost?: string;
  route?: { name: string; index: number };
  cluster?: string;
  endpoint?: string;
  endpointLabels?: Record<string, string>;
  locality?: string;
  priority?: number;
  attempt: number;
  timeoutMs?: number;
  why: string[];
  error?: string;
}

export interface CallResult {
  via: 'mesh' | 'direct';
  status: { code: number; name: string; message: string };
  response?: unknown;
  latencyMs: number;
  destination?: { endpoint: string; cluster?: string };
  headers: Record<string, string>;
  trailers: Record<string, string>;
  decisions: Decision[];
}

export const listMethods = (target: string, endpoint?: string) =>
  get<{ address: string; services: { name: string; methods: MethodInfo[] }[] }>('/api/call/methods', {
    target,
    endpoint,
  });

export const testCall = (req: {
  target: string;
  method: string;
  body: unknown;
  headers: Record<string, string>;
  endpoint?: string;
  timeoutMs?: number;
}) => request<CallResult>('POST', '/api/call', { body: req });

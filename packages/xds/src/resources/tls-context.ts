// gRFC A29 xDS mTLS: Envoy's transport_sockets.tls.v3 Upstream/DownstreamTlsContext, as gRPC
// uses them (certificate provider instances from the bootstrap, SAN matchers), as a plain model.
import type { TransportSocket } from '../gen/envoy/config/core/v3/base_pb.js';
import type { CertificateValidationContext } from '../gen/envoy/extensions/transport_sockets/tls/v3/common_pb.js';
import {
  type CommonTlsContext,
  DownstreamTlsContextSchema,
  UpstreamTlsContextSchema,
} from '../gen/envoy/extensions/transport_sockets/tls/v3/tls_pb.js';
import { DOWNSTREAM_TLS_CONTEXT_TYPE_URL, UPSTREAM_TLS_CONTEXT_TYPE_URL } from '../type-urls.js';
import { at, index, type Problems, parse } from './decode-result.js';
import { decodeStringMatcher, type XdsStringMatcher } from './string-matcher.js';

/** A certificate from a bootstrap `certificate_providers` instance. */
export interface XdsCertificateProvider {
  readonly instanceName: string;
  readonly certificateName: string;
}

/** The TLS settings of a cluster (upstream) or a server filter chain (downstream). */
export interface XdsTlsContext {
  /** Our certificate and key; required on the server side. */
  readonly identityCertificate?: XdsCertificateProvider;
  /** The CA to verify the peer with; required on the client side. */
  readonly rootCertificate?: XdsCertificateProvider;
  /** The peer's SAN must match one of these (client side; empty means any). */
  readonly sanMatchers: readonly XdsStringMatcher[];
  /** Server side: ask for and verify a client certificate. */
  readonly requireClientCertificate: boolean;
}

/** Decodes a transport socket; only the TLS socket is supported. */
export function decodeTransportSocket(
  ts: TransportSocket,
  side: 'upstream' | 'downstream',
  path: string,
  problems: Problems,
): XdsTlsContext | undefined {
  const expected = side === 'upstream' ? UPSTREAM_TLS_CONTEXT_TYPE_URL : DOWNSTREAM_TLS_CONTEXT_TYPE_URL;
  if (ts.configType.case !== 'typedConfig' || ts.configType.value.typeUrl !== expected) {
    problems.add(at(path, 'typed_config'), `unsupported transport socket: expected ${expected}`);
    return undefined;
  }
  const before = problems.errors.length;
  const p = at(path, 'typed_config');
  if (side === 'upstream') {
    const ctx = parse(UpstreamTlsContextSchema, ts.configType.value.value, p, problems);
    if (!ctx) return undefined;
    const common = decodeCommon(ctx.commonTlsContext, at(p, 'common_tls_context'), problems);
    if (common && !common.rootCertificate) {
      problems.add(at(p, 'common_tls_context'), 'a CA certificate provider instance is required');
    }
    return problems.errors.length > before || !common
      ? undefined
      : { ...common, requireClientCertificate: false };
  }
  const ctx = parse(DownstreamTlsContextSchema, ts.configType.value.value, p, problems);
  if (!ctx) return undefined;
  const common = decodeCommon(ctx.commonTlsContext, at(p, 'common_tls_context'), problems);
  const requireClientCertificate = ctx.requireClientCertificate ?? false;
  if (common && !common.identityCertificate) {
    problems.add(at(p, 'common_tls_context'), 'an identity certificate provider instance is required');
  }
  if (common && requireClientCertificate && !common.rootCertificate) {
    problems.add(at(p, 'require_client_certificate'), 'needs a CA certificate provider instance');
  }
  if (ctx.requireSni) problems.add(at(p, 'require_sni'), 'is not supported');
  if (problems.errors.length > before || !common) return undefined;
  return { ...common, requireClientCertificate };
}

function decodeCommon(c: CommonTlsContext | undefined, path: string, problems: Problems) {
  if (!c) {
    problems.add(path, 'is required');
    return undefined;
  }
  const identity = c.tlsCertificateProviderInstance ?? c.tlsCertificateCertificateProviderInstance;
  let validation: CertificateValidationContext | undefined;
  let root: XdsCertificateProvider | undefined;
  const v = c.validationContextType;
  if (v.case === 'validationContext') validation = v.value;
  else if (v.case === 'combinedValidationContext') {
    validation = v.value.defaultValidationContext;
    root = v.value.validationContextCertificateProviderInstance;
  } else if (v.case === 'validationContextCertificateProviderInstance') root = v.value;
  const sanMatchers: XdsStringMatcher[] = [];
  if (validation) {
    const vp = at(path, 'validation_context');
    root = validation.caCertificateProviderInstance ?? root;
    if (validation.verifyCertificateHash.length > 0)
      problems.add(at(vp, 'verify_certificate_hash'), 'is not supported');
    if (validation.verifyCertificateSpki.length > 0)
      problems.add(at(vp, 'verify_certificate_spki'), 'is not supported');
    if (validation.requireSignedCertificateTimestamp) {
      problems.add(at(vp, 'require_signed_certificate_timestamp'), 'is not supported');
    }
    if (validation.systemRootCerts) problems.add(at(vp, 'system_root_certs'), 'is not supported');
    validation.matchSubjectAltNames.forEach((m, i) => {
      const decoded = decodeStringMatcher(m, index(at(vp, 'match_subject_alt_names'), i), problems);
      if (decoded) sanMatchers.push(decoded);
    });
    validation.matchTypedSubjectAltNames.forEach((m, i) => {
      const decoded = decodeStringMatcher(
        m.matcher,
        index(at(vp, 'match_typed_subject_alt_names'), i),
        problems,
      );
      if (decoded) sanMatchers.push(decoded);
    });
  }
  return {
    ...(identity && { identityCertificate: provider(identity) }),
    ...(root && { rootCertificate: provider(root) }),
    sanMatchers,
  };
}

function provider(p: { instanceName: string; certificateName: string }): XdsCertificateProvider {
  return { instanceName: p.instanceName, certificateName: p.certificateName };
}

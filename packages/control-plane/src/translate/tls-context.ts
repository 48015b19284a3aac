// Transport security for proxyless clients and servers, from certificate providers named in the
// bootstrap (Istio's grpc-agent writes the `default` provider: its `default` certificate is the
// workload's, `ROOTCA` the mesh root), as istiod emits them for proxyless gRPC.
// Envoy: extensions.transport_sockets.tls.v3 UpstreamTlsContext / DownstreamTlsContext;
// gRFC A29 (xDS-based security); Istio: DestinationRule tls ISTIO_MUTUAL/SIMPLE, PeerAuthentication.

import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { envoy } from '@shoal/xds';
import type { ClientTLSSettings } from '../config/networking-types.js';

export const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';
const PROVIDER = 'default';

function istioCommonContext(subjectAltNames: readonly string[]): envoy.CommonTlsContext {
  const validation = create(envoy.CertificateValidationContextSchema, {
    caCertificateProviderInstance: { instanceName: PROVIDER, certificateName: 'ROOTCA' },
    matchSubjectAltNames: subjectAltNames.map((san) =>
      create(envoy.StringMatcherSchema, { matchPattern: { case: 'exact', value: san } }),
    ),
  });
  return create(envoy.CommonTlsContextSchema, {
    tlsCertificateProviderInstance: { instanceName: PROVIDER, certificateName: 'default' },
    validationContextType: {
      case: 'combinedValidationContext',
      value: {
        defaultValidationContext: validation,
        // The field older gRPC releases read.
        validationContextCertificateProviderInstance: { instanceName: PROVIDER, certificateName: 'ROOTCA' },
      },
    },
  });
}

/**
 * The cluster's transport socket for a DestinationRule `tls` setting; undefined for plaintext.
 * Throws for modes a proxyless client cannot follow (files named in the rule), so the cluster is
 * left out rather than silently sent in plaintext.
 */
export function upstreamTransportSocket(
  tls: ClientTLSSettings | undefined,
  host: string,
): envoy.TransportSocket | undefined {
  const mode = tls?.mode ?? 'DISABLE';
  if (mode === 'DISABLE') return undefined;
  let context: envoy.UpstreamTlsContext;
  if (mode === 'ISTIO_MUTUAL') {
    context = create(envoy.UpstreamTlsContextSchema, {
      commonTlsContext: istioCommonContext(tls?.subjectAltNames ?? []),
      sni: tls?.sni ?? '',
    });
  } else if (mode === 'SIMPLE' && !tls?.caCertificates && !tls?.credentialName) {
    context = create(envoy.UpstreamTlsContextSchema, {
      commonTlsContext: {
        validationContextType: {
          case: 'validationContext',
          value: {
            systemRootCerts: {},
            matchSubjectAltNames: (tls?.subjectAltNames ?? []).map((san) =>
              create(envoy.StringMatcherSchema, { matchPattern: { case: 'exact', value: san } }),
            ),
          },
        },
      },
      sni: tls?.sni ?? host,
    });
  } else {
    throw new Error(
      `tls mode ${mode}${tls?.caCertificates || tls?.credentialName ? ' with certificate files' : ''} is not supported for proxyless clients (use ISTIO_MUTUAL or SIMPLE)`,
    );
  }
  return create(envoy.TransportSocketSchema, {
    name: TLS_TRANSPORT_SOCKET,
    configType: { case: 'typedConfig', value: anyPack(envoy.UpstreamTlsContextSchema, context) },
  });
}

/** The server side of Istio mutual TLS: the workload certificate, and client certificates required. */
export function downstreamMutualTls(): envoy.TransportSocket {
  const context = create(envoy.DownstreamTlsContextSchema, {
    commonTlsContext: istioCommonContext([]),
    requireClientCertificate: true,
  });
  return create(envoy.TransportSocketSchema, {
    name: TLS_TRANSPORT_SOCKET,
    configType: { case: 'typedConfig', value: anyPack(envoy.DownstreamTlsContextSchema, context) },
  });
}

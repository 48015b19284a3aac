// Transport security as istiod gives it to sidecars: the workload certificate and the mesh root
// by SDS under the names `default` and `ROOTCA`, fetched from the `sds-grpc` cluster that the
// sidecar's bootstrap defines (Istio's agent serves it), mutual TLS on inbound chains with
// istiod's TLS parameters and ALPN, ISTIO_MUTUAL clusters with SNI `outbound_.PORT_.SUBSET_.HOST`,
// and auto mutual TLS (a TLS socket for endpoints labelled `security.istio.io/tlsMode: istio`,
// plaintext for the others).
// Istio: pkg/model/authentication.go (SDS names), security/model ApplyToCommonTLSContext,
// cluster_tls.go (buildIstioMutualTLS, auto mTLS transport_socket_matches), authn (inbound
// DownstreamTlsContext); Envoy: extensions.transport_sockets.tls.v3.

import { create, type JsonObject } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { envoy } from '@shoal/xds';
import { durationFromMs } from '../proto-values.js';
import { TLS_TRANSPORT_SOCKET } from '../tls-context.js';

export const SDS_CLUSTER = 'sds-grpc';
export const WORKLOAD_SECRET = 'default';
export const ROOT_SECRET = 'ROOTCA';
export const RAW_BUFFER_TRANSPORT_SOCKET = 'envoy.transport_sockets.raw_buffer';
/** The endpoint metadata auto mTLS matches on, and the label it comes from. */
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
export const TRANSPORT_SOCKET_MATCH_KEY = 'envoy.transport_socket_match';

/** istiod's defaults for workload TLS (MeshConfig.meshMTLS unset). */
const CIPHER_SUITES = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
];
/** What a sidecar advertises as a client inside the mesh (istiod's ALPNInMeshWithMxc / …H2…). */
const MESH_ALPN = ['istio-peer-exchange', 'istio'];

export function sdsSecretConfig(name: string): envoy.SdsSecretConfig {
  return create(envoy.SdsSecretConfigSchema, {
    name,
    sdsConfig: {
      configSourceSpecifier: {
        case: 'apiConfigSource',
        value: {
          apiType: envoy.ApiConfigSource_ApiType.GRPC,
          setNodeOnFirstMessageOnly: true,
          transportApiVersion: envoy.ApiVersion.V3,
          grpcServices: [{ targetSpecifier: { case: 'envoyGrpc', value: { clusterName: SDS_CLUSTER } } }],
        },
      },
      initialFetchTimeout: durationFromMs(0),
      resourceApiVersion: envoy.ApiVersion.V3,
    },
  });
}

function meshCommonContext(
  alpn: readonly string[],
  sanMatchers: envoy.StringMatcher[],
): envoy.CommonTlsContext {
  return create(envoy.CommonTlsContextSchema, {
    alpnProtocols: [...alpn],
    tlsCertificateSdsSecretConfigs: [sdsSecretConfig(WORKLOAD_SECRET)],
    validationContextType: {
      case: 'combinedValidationContext',
      value: {
        defaultValidationContext: { matchSubjectAltNames: sanMatchers },
        validationContextSdsSecretConfig: sdsSecretConfig(ROOT_SECRET),
      },
    },
  });
}

function tlsSocket(context: envoy.DownstreamTlsContext | envoy.UpstreamTlsContext): envoy.TransportSocket {
  const value =
    context.$typeName === 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext'
      ? anyPack(envoy.DownstreamTlsContextSchema, context)
      : anyPack(envoy.UpstreamTlsContextSchema, context);
  return create(envoy.TransportSocketSchema, {
    name: TLS_TRANSPORT_SOCKET,
    configType: { case: 'typedConfig', value },
  });
}

/**
 * The server side of mesh mTLS on an inbound chain: client certificates required and issued
 * under the trust domain. HTTP chains offer h2 and http/1.1; TCP chains also the peer exchange.
 */
export function inboundMutualTls(kind: 'http' | 'tcp', trustDomain: string): envoy.TransportSocket {
  const alpn = kind === 'http' ? ['h2', 'http/1.1'] : ['istio-peer-exchange', 'h2', 'http/1.1'];
  const common = meshCommonContext(alpn, [
    create(envoy.StringMatcherSchema, {
      matchPattern: { case: 'prefix', value: `spiffe://${trustDomain}/` },
    }),
  ]);
  common.tlsParams = create(envoy.TlsParametersSchema, {
    tlsMinimumProtocolVersion: envoy.TlsParameters_TlsProtocol.TLSv1_2,
    tlsMaximumProtocolVersion: envoy.TlsParameters_TlsProtocol.TLSv1_3,
    cipherSuites: CIPHER_SUITES,
  });
  return tlsSocket(
    create(envoy.DownstreamTlsContextSchema, { commonTlsContext: common, requireClientCertificate: true }),
  );
}

/** `outbound_.9080_.v1_.reviews.default.svc.cluster.local`, the SNI of an ISTIO_MUTUAL cluster. */
export function istioMutualSni(host: string, port: number, subset: string): string {
  return `outbound_.${port}_.${subset}_.${host}`;
}

/** The client side of mesh mTLS to a cluster (DestinationRule ISTIO_MUTUAL, or auto mTLS). */
export function outboundMutualTls(
  sni: string,
  subjectAltNames: readonly string[],
  http2: boolean,
): envoy.TransportSocket {
  const sans = subjectAltNames.map((san) =>
    create(envoy.StringMatcherSchema, { matchPattern: { case: 'exact', value: san } }),
  );
  const alpn = http2 ? [...MESH_ALPN, 'h2'] : MESH_ALPN;
  return tlsSocket(
    create(envoy.UpstreamTlsContextSchema, { commonTlsContext: meshCommonContext(alpn, sans), sni }),
  );
}

/** TLS origination without client certificates (DestinationRule SIMPLE with no files named). */
export function outboundSimpleTls(sni: string, subjectAltNames: readonly string[]): envoy.TransportSocket {
  const validation = create(envoy.CertificateValidationContextSchema, {
    matchSubjectAltNames: subjectAltNames.map((san) =>
      create(envoy.StringMatcherSchema, { matchPattern: { case: 'exact', value: san } }),
    ),
  });
  return tlsSocket(
    create(envoy.UpstreamTlsContextSchema, {
      commonTlsContext: { validationContextType: { case: 'validationContext', value: validation } },
      sni,
    }),
  );
}

export function rawBufferSocket(): envoy.TransportSocket {
  return create(envoy.TransportSocketSchema, {
    name: RAW_BUFFER_TRANSPORT_SOCKET,
    configType: {
      case: 'typedConfig',
      value: anyPack(envoy.RawBufferSchema, create(envoy.RawBufferSchema, {})),
    },
  });
}

/** Auto mTLS: mutual TLS to endpoints that run a mesh proxy, plaintext to the rest. */
export function autoMutualTlsMatches(mutual: envoy.TransportSocket): envoy.Cluster_TransportSocketMatch[] {
  const match: JsonObject = { tlsMode: 'istio' };
  return [
    create(envoy.Cluster_TransportSocketMatchSchema, {
      name: 'tlsMode-istio',
      match,
      transportSocket: mutual,
    }),
    create(envoy.Cluster_TransportSocketMatchSchema, {
      name: 'tlsMode-disabled',
      match: {},
      transportSocket: rawBufferSocket(),
    }),
  ];
}

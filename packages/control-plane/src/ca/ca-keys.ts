// The CA's signing key as WebCrypto needs it: any PEM private key node:crypto reads (PKCS#8,
// SEC1 `EC PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, as openssl and Istio's tools write them),
// with the signature algorithm that goes with it.

import { createPrivateKey, webcrypto } from 'node:crypto';

export interface SigningKey {
  readonly key: webcrypto.CryptoKey;
  readonly algorithm: { name: string; hash: string };
}

const CURVES: Record<string, { curve: string; hash: string }> = {
  prime256v1: { curve: 'P-256', hash: 'SHA-256' },
  secp384r1: { curve: 'P-384', hash: 'SHA-384' },
  secp521r1: { curve: 'P-521', hash: 'SHA-512' },
};

export async function importSigningKey(pem: string, where: string): Promise<SigningKey> {
  let object: ReturnType<typeof createPrivateKey>;
  try {
    object = createPrivateKey(pem);
  } catch (err) {
    throw new Error(`${where}: not a private key: ${(err as Error).message}`);
  }
  const der = object.export({ type: 'pkcs8', format: 'der' });
  if (object.asymmetricKeyType === 'ec') {
    const named = CURVES[object.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!named)
      throw new Error(`${where}: EC curve ${object.asymmetricKeyDetails?.namedCurve} is not supported`);
    const key = await webcrypto.subtle.importKey(
      'pkcs8',
      der,
      { name: 'ECDSA', namedCurve: named.curve },
      false,
      ['sign'],
    );
    return { key, algorithm: { name: 'ECDSA', hash: named.hash } };
  }
  if (object.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    return { key, algorithm };
  }
  throw new Error(`${where}: ${object.asymmetricKeyType} keys are not supported (use EC or RSA)`);
}

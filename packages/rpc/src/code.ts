// gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html) and the
// Triple HTTP mode's code → HTTP status mapping (Dubbo Triple spec, same table as Connect's).

/** gRPC status codes. */
export enum Code {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

/** Parses a `grpc-status` value; anything that is not a known code reads as UNKNOWN. */
export function parseCode(value: string | undefined | null): Code | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 16) return Code.UNKNOWN;
  return n as Code;
}

/** Looks a code up by its name, as written in config and on the command line (`UNAVAILABLE`, `unavailable`). */
export function codeFromName(name: string): Code | undefined {
  const key = name.trim().toUpperCase().replace(/-/g, '_');
  const value = (Code as unknown as Record<string, unknown>)[key];
  return typeof value === 'number' ? (value as Code) : undefined;
}

/** The code's name (`NOT_FOUND`), as gRPC and Triple's HTTP mode spell it. */
export function codeName(code: Code): string {
  return Code[code] ?? `CODE_${code}`;
}

const httpStatusByCode: Record<Code, number> = {
  [Code.OK]: 200,
  [Code.CANCELLED]: 499,
  [Code.UNKNOWN]: 500,
  [Code.INVALID_ARGUMENT]: 400,
  [Code.DEADLINE_EXCEEDED]: 504,
  [Code.NOT_FOUND]: 404,
  [Code.ALREADY_EXISTS]: 409,
  [Code.PERMISSION_DENIED]: 403,
  [Code.RESOURCE_EXHAUSTED]: 429,
  [Code.FAILED_PRECONDITION]: 400,
  [Code.ABORTED]: 409,
  [Code.OUT_OF_RANGE]: 400,
  [Code.UNIMPLEMENTED]: 501,
  [Code.INTERNAL]: 500,
  [Code.UNAVAILABLE]: 503,
  [Code.DATA_LOSS]: 500,
  [Code.UNAUTHENTICATED]: 401,
};

/** HTTP status for an error in Triple's HTTP mode. */
export function httpStatusFromCode(code: Code): number {
  return httpStatusByCode[code];
}

/** gRPC's mapping of an HTTP status seen where a gRPC response was expected (gRPC doc: http-grpc-status-mapping). */
export function codeFromHttpStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.INTERNAL;
    case 401:
      return Code.UNAUTHENTICATED;
    case 403:
      return Code.PERMISSION_DENIED;
    case 404:
      return Code.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code.UNAVAILABLE;
    default:
      return Code.UNKNOWN;
  }
}

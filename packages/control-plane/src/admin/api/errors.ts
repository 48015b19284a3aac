// The admin API's error answer, shared by every endpoint (ADMIN-API.md).

/** Every 4xx/5xx answer: what went wrong, plus the fields an endpoint adds (see its answer types). */
export interface ErrorAnswer {
  error: string;
}

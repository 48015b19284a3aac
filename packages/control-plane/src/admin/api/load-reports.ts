// The admin API's load-report endpoint (ADMIN-API.md): `GET /api/load-reports?window=SECONDS`
// answers a LoadReportView (the mesh's edges from Envoy LRS reports: who calls whom, rate, errors,
// latency), which `shoal top` reads.

export type {
  LoadReportDestination,
  LoadReportEdge,
  LoadReportEndpoint,
  LoadReportLoad,
  LoadReportSource,
  LoadReportStream,
  LoadReportView,
} from '../../load-stats/load-report-types.js';

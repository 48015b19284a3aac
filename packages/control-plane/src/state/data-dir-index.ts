// The `@shoal/control-plane/data-dir` entry: where the control plane keeps its state and the admin
// token, without loading the control plane (the CLI's config verbs read the token from here).
export {
  ADMIN_TOKEN_FILE,
  DATA_DIR_ENV,
  DataDir,
  DEFAULT_DATA_DIR,
  newSecret,
  resolveDataDir,
} from './data-dir.js';

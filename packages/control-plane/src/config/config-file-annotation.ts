// The annotation marking an object that came from a config directory (`shoal cp --config DIR`):
// the file's path. The control plane writes it; `shoal get` shows it as the object's SOURCE.

/** The annotation holding the config file an object came from (`shoal get`'s SOURCE). */
export const CONFIG_FILE_ANNOTATION = 'shoal.io/config-file';

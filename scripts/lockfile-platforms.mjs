// Keeps package-lock.json valid for `npm ci` on this project's registry.
//
// Why: the npm registry these machines reach serves only the Linux builds of some native tools
// (biome, buf). `npm install` then leaves the other platforms' optional packages out of the
// lockfile, and `npm ci` rejects the lockfile as "missing" them. This script writes those
// entries back, marked optional and tagged with their os/cpu, so `npm ci` skips them as
// platform mismatches without fetching anything. Run it after `npm install` changes the lock:
//   node scripts/lockfile-platforms.mjs
// With --check (part of `npm run lint`) it only reports whether the lockfile needs it.
import { readFileSync, writeFileSync } from 'node:fs';

const platforms = {
  'android-arm64': { os: ['android'], cpu: ['arm64'] },
  'android-x64': { os: ['android'], cpu: ['x64'] },
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'linux-arm64': { os: ['linux'], cpu: ['arm64'] },
  'linux-aarch64': { os: ['linux'], cpu: ['arm64'] },
  'linux-arm64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'linux-armv7': { os: ['linux'], cpu: ['arm'] },
  'linux-x64': { os: ['linux'], cpu: ['x64'] },
  'linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  'win32-arm64': { os: ['win32'], cpu: ['arm64'] },
  'win32-x64': { os: ['win32'], cpu: ['x64'] },
};

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const target = `node_modules/${name}`;
    if (lock.packages[target]) continue;
    const suffix = Object.keys(platforms).find((p) => name.endsWith(`-${p}`));
    if (!suffix)
      throw new Error(`${key}: optional dependency ${name} is missing and is not a known platform build`);
    lock.packages[target] = {
      version,
      optional: true,
      ...(entry.dev ? { dev: true } : {}),
      ...platforms[suffix],
    };
    added++;
  }
}
if (process.argv.includes('--check')) {
  if (added > 0) {
    console.error(
      `lockfile-platforms: package-lock.json lacks ${added} platform package(s); run node scripts/lockfile-platforms.mjs`,
    );
    process.exit(1);
  }
} else {
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`lockfile-platforms: ${added} platform-specific optional package(s) described`);
}

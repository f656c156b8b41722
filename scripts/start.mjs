// `npm start`: build the static site when dist/ is missing or older than the sources, then serve it.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

/** Newest modification time (ms) under a file or folder. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), 0);
}

const built = existsSync('dist/index.html') ? statSync('dist/index.html').mtimeMs : 0;
const changed = Math.max(...SOURCES.map(newest));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (built < changed) {
  console.log('Building the site (dist/ is missing or out of date)...');
  const build = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const extra = process.argv.slice(2);
const previewArgs = extra.length > 0 ? ['run', 'preview', '--', ...extra] : ['run', 'preview'];
const serve = spawnSync(npm, previewArgs, { stdio: 'inherit' });
process.exit(serve.status ?? 0);

/**
 * Rebuilds src/lib/core/cluster/wasm-bytes.ts from scripts/cluster-kernels.wat:
 * `node --import tsx scripts/build-cluster-wasm.ts`. The bytes are committed as base64 so
 * neither the app nor its tests need wabt (a devDependency used only here).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watPath = join(root, 'scripts', 'cluster-kernels.wat');
const outPath = join(root, 'src', 'lib', 'core', 'cluster', 'wasm-bytes.ts');

const wabt = await wabtInit();
const parsed = wabt.parseWat('cluster-kernels.wat', await readFile(watPath, 'utf8'), {
  simd: true,
});
parsed.validate();
const { buffer } = parsed.toBinary({});
parsed.destroy();
const base64 = Buffer.from(buffer).toString('base64');
const lines = base64.match(/.{1,96}/g) ?? [];
const body = lines.map((l) => `  '${l}'`).join(' +\n');
await writeFile(
  outPath,
  `/**\n * The clustering WASM SIMD kernel (${buffer.length} bytes), generated from\n` +
    ` * scripts/cluster-kernels.wat by scripts/build-cluster-wasm.ts: do not edit by hand.\n */\n` +
    `export const CLUSTER_WASM_BASE64 =\n${body};\n`,
);
console.log(`wrote ${outPath} (${buffer.length} bytes)`);

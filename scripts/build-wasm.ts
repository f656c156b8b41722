/**
 * Rebuilds the committed WASM SIMD kernels from their WebAssembly text sources:
 * `node --import tsx scripts/build-wasm.ts`. The bytes are committed as base64 so neither the
 * app nor its tests need wabt (a devDependency used only here).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each kernel module: its source, the generated file, the exported constant and what it is. */
const MODULES = [
  {
    wat: 'vectors-kernels.wat',
    out: ['src', 'lib', 'core', 'vectors', 'wasm-bytes.ts'],
    constant: 'VECTORS_WASM_BASE64',
    what: 'The vector WASM SIMD kernels (dot tiles, UMAP layout)',
  },
  {
    wat: 'cluster-kernels.wat',
    out: ['src', 'lib', 'core', 'cluster', 'wasm-bytes.ts'],
    constant: 'CLUSTER_WASM_BASE64',
    what: 'The clustering WASM SIMD kernel (distance tables, Prim, Ward)',
  },
];

const wabt = await wabtInit();
for (const module of MODULES) {
  const parsed = wabt.parseWat(
    module.wat,
    await readFile(join(root, 'scripts', module.wat), 'utf8'),
    {
      simd: true,
    },
  );
  parsed.validate();
  const { buffer } = parsed.toBinary({});
  parsed.destroy();
  const lines =
    Buffer.from(buffer)
      .toString('base64')
      .match(/.{1,96}/g) ?? [];
  const body = lines.map((l) => `  '${l}'`).join(' +\n');
  const outPath = join(root, ...module.out);
  await writeFile(
    outPath,
    `/**\n * ${module.what}, ${buffer.length} bytes, generated from\n` +
      ` * scripts/${module.wat} by scripts/build-wasm.ts: do not edit by hand.\n */\n` +
      `export const ${module.constant} =\n${body};\n`,
  );
  console.log(`wrote ${outPath} (${buffer.length} bytes)`);
}

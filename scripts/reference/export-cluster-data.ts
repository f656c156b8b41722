/**
 * Writes the overlapping datasets of tests/unit/cluster-reference.test.ts (REFERENCE_DATA in
 * tests/unit/cluster-fixtures.ts) to tests/fixtures/cluster-reference/<name>.data.json, so that
 * scripts/reference/cluster_reference.py computes its references on exactly the numbers the test
 * builds. Run: node --import tsx scripts/reference/export-cluster-data.ts
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REFERENCE_DATA, referenceData } from '../../tests/unit/cluster-fixtures';

const DIR = join(import.meta.dirname, '../../tests/fixtures/cluster-reference');

for (const spec of REFERENCE_DATA) {
  const { m, truth } = referenceData(spec);
  const rows: number[][] = [];
  for (let i = 0; i < m.rows; i++) {
    const r: number[] = [];
    // The float32 values print back as the rounded decimals they were made from.
    for (let d = 0; d < m.dims; d++) r.push(+m.data[i * m.dims + d]!.toFixed(spec.decimals));
    rows.push(r);
  }
  // One row per line keeps the file diffable and small.
  const text = [
    '{',
    `"madeBy": "node --import tsx scripts/reference/export-cluster-data.ts",`,
    `"spec": ${JSON.stringify(spec)},`,
    `"truth": ${JSON.stringify(Array.from(truth))},`,
    '"rows": [',
    rows.map((r) => JSON.stringify(r)).join(',\n'),
    ']',
    '}',
    '',
  ].join('\n');
  const file = join(DIR, `${spec.name}.data.json`);
  await writeFile(file, text);
  console.log(`wrote ${file} (${m.rows} x ${m.dims})`);
}

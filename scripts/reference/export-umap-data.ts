/**
 * Writes the overlapping blobs of project-umap.test.ts's umap-learn comparison (UMAP_OVERLAP in
 * tests/unit/project-fixtures.ts) to a JSON file for scripts/reference/umap_reference.py:
 *   node --import tsx scripts/reference/export-umap-data.ts /tmp/umap-overlap.json
 * The file holds the float32 values exactly (shortest float64 text of each), so umap-learn
 * sees the very numbers our UMAP does. It is not committed: the seed regenerates it.
 */
import { writeFile } from 'node:fs/promises';
import { makeBlobs } from '../../src/lib/core/vectors/blobs';
import { UMAP_OVERLAP } from '../../tests/unit/project-fixtures';

const target = process.argv[2];
if (!target) throw new Error('usage: export-umap-data.ts <output.json>');
const { matrix: m, labels } = makeBlobs(UMAP_OVERLAP);
await writeFile(
  target,
  JSON.stringify({
    options: UMAP_OVERLAP,
    rows: m.rows,
    dims: m.dims,
    data: Array.from(m.data),
    labels: Array.from(labels),
  }),
);
console.log(`wrote ${target} (${m.rows} x ${m.dims})`);

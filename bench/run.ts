/**
 * `npm run bench`: runs every benchmark case and prints one table; rows also go to
 * bench/results/latest.json. Options: `--only TEXT` runs the steps containing TEXT, `--n N`
 * the cases of size N (either leaves latest.json as it is), `--data DIR` points at the shared data folder's alpaca_eval/ (default ../shared/data/alpaca_eval
 * from the repository root).
 */
import { join, resolve } from 'node:path';
import { alpacaCases } from './cases/alpaca';
import { browserCases } from './cases/browser';
import { clusteringCases } from './cases/clustering';
import { contrastiveCases } from './cases/contrastive';
import { idbCases } from './cases/idb';
import { localFolderCases } from './cases/local-folder';
import { pipelineCases } from './cases/pipeline';
import { projectionCases } from './cases/projection';
import { queueCases } from './cases/queue';
import { supervisorCases } from './cases/supervisor';
import { main, pathOf } from './harness';

const root = resolve(pathOf(import.meta.url), '..', '..');

/** The value after `flag` on the command line, if any. */
function arg(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

// Later issues add clustering/projection cases here, each with a scikit-learn reference command.
const dataDir = resolve(arg('--data') ?? join(root, '..', 'shared', 'data', 'alpaca_eval'));
const cases = [
  ...idbCases(),
  ...clusteringCases(),
  ...projectionCases(),
  ...queueCases(),
  ...supervisorCases(),
  ...alpacaCases(dataDir),
  ...pipelineCases(dataDir),
  ...browserCases(),
  ...localFolderCases(),
  ...contrastiveCases(),
];

const n = arg('--n');
await main(cases, {
  only: arg('--only'),
  ...(n === undefined ? {} : { n: Number(n) }),
  resultsFile: join(root, 'bench', 'results', 'latest.json'),
  entry: pathOf(import.meta.url),
});

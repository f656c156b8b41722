/** Clustering of embedding vectors: k-means, Ward, HDBSCAN, k selection and agreement scores. */
export { adjustedRandIndex } from './ari';
export {
  chooseK,
  chooseKBySilhouette,
  type ChooseKOptions,
  type ChooseKResult,
  type KRangeOptions,
} from './choose-k';
export { wasmDistanceAvailable } from './distance-arena';
export { hdbscan, type HdbscanOptions, type HdbscanResult } from './hdbscan';
export type { CondensedTree } from './hdbscan-tree';
export { kmeans, KMeansSession, type KMeansOptions, type KMeansResult } from './kmeans';
export { cutTree, type Linkage } from './linkage';
export { squaredDistanceMatrix, type SquareDistances } from './pairwise';
export { silhouetteScore, type SilhouetteOptions } from './silhouette';
export { pairwiseStability, seedStability, type StabilitySummary } from './stability';
export { wardLinkage } from './ward';

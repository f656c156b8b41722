/**
 * core/project/fuzzy-graph.ts against umap-learn 0.5.3 on a small hand-made kNN graph that
 * reaches every branch of the smooth-kNN calibration (rho interpolated for non-integer local
 * connectivity, fewer non-zero distances than the local connectivity, rows of zeros, rows whose
 * sigma cannot reach the target and take the MIN_K_DIST_SCALE floor) and of the fuzzy union /
 * intersection. The constants below were printed by
 *
 *     /usr/bin/python3 scripts/reference/fuzzy_graph_reference.py
 *
 * (umap-learn 0.5.3, numba 0.56.4, numpy 1.24.2, scipy 1.10.1), which documents the points.
 */
import { describe, expect, it } from 'vitest';
import { fuzzySimplicialSet, smoothKnnDistances } from '../../src/lib/core/project/fuzzy-graph';
import type { KnnGraph } from '../../src/lib/core/vectors/knn';

/** The kNN graph of the 22 points (see the script): row i at [5 i, 5 i + 5), itself first. */
const KNN = {
  n: 22,
  k: 5,
  indices: [
    0, 8, 10, 7, 9, 1, 3, 4, 6, 2, 2, 5, 1, 3, 6, 3, 1, 4, 6, -1, 4, 3, 1, 2, 5, 5, 2, 1, 3, 6, 6,
    1, 3, 2, 5, 7, 8, 9, 10, 11, 8, 7, 10, 11, 9, 9, 7, 10, 11, 8, 10, 7, 8, 9, 11, 11, 7, 8, 9, 10,
    12, 13, 14, 15, 16, 13, 12, 14, 15, 16, 14, 12, 13, 15, 16, 15, 12, 13, 14, 16, 16, 12, 13, 14,
    15, 17, 18, 19, 20, 21, 18, 17, 19, 20, 21, 19, 17, 18, 20, 21, 20, 17, 18, 19, 21, 21, 17, 18,
    19, 20,
  ],
  distances: [
    0, 5.586591e1, 5.586591e1, 5.6568542e1, 5.7280014e1, 0, 8.86186e-1, 2.1379433, 2.1802044,
    2.6699336, 0, 3.6216277e-1, 2.6699336, 3.239961, 3.4967735, 0, 8.86186e-1, 1.3045163, 2.9516127,
    3.239961, 0, 1.3045163, 2.1379433, 3.8962913, 4.038844, 0, 3.6216277e-1, 2.9646227, 3.479328,
    3.8589034, 0, 2.1802044, 2.9516127, 3.4967735, 3.8589034, 0, 1, 1, 1, 1, 0, 1, 1.4142135,
    1.4142135, 2, 0, 1, 1.4142135, 1.4142135, 2, 0, 1, 1.4142135, 1.4142135, 2, 0, 1, 1.4142135,
    1.4142135, 2, 0, 0, 0, 1.118034, 1.8027756, 0, 0, 0, 1.118034, 1.8027756, 0, 0, 0, 1.118034,
    1.8027756, 0, 1.118034, 1.118034, 1.118034, 2.9154758, 0, 1.8027756, 1.8027756, 1.8027756,
    2.9154758, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  ],
};
/** umap_.smooth_knn_dist(KNN.distances, 5, local_connectivity, bandwidth). */
const SMOOTH_KNN_DIST = [
  {
    localConnectivity: 1.0,
    bandwidth: 1.0,
    sigmas: [
      5.171509e-1, 1.741272, 3.3621826, 1.6866455, 2.293579, 3.7265625, 1.4738159, 8.0000004e-4,
      6.830597e-1, 6.830597e-1, 6.830597e-1, 6.830597e-1, 5.8416196e-4, 5.8416196e-4, 5.8416196e-4,
      1.2539156e-3, 1.6647606e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3,
    ],
    rhos: [
      5.586591e1, 8.86186e-1, 3.6216277e-1, 8.86186e-1, 1.3045163, 3.6216277e-1, 2.1802044, 1, 1, 1,
      1, 1, 1.118034, 1.118034, 1.118034, 1.118034, 1.8027756, 0, 0, 0, 0, 0,
    ],
  },
  {
    localConnectivity: 1.5,
    bandwidth: 1.0,
    sigmas: [
      5.171509e-1, 9.627075e-1, 1.9377747, 1.3641663, 1.7101135, 2.1220093, 9.732666e-1,
      8.0000004e-4, 3.9662933e-1, 3.9662933e-1, 3.9662933e-1, 3.9662933e-1, 5.8416196e-4,
      5.8416196e-4, 5.8416196e-4, 1.2539156e-3, 1.6647606e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3,
      3.061867e-3, 3.061867e-3,
    ],
    rhos: [
      5.586591e1, 1.5120647, 1.5160482, 1.0953512, 1.7212298, 1.6633928, 2.5659084, 1, 1.2071068,
      1.2071068, 1.2071068, 1.2071068, 1.4604049, 1.4604049, 1.4604049, 1.118034, 1.8027756, 0, 0,
      0, 0, 0,
    ],
  },
  {
    localConnectivity: 0.5,
    bandwidth: 1.0,
    sigmas: [
      5.232422e1, 2.6447144, 3.7457886, 2.6917114, 3.692688, 4.1105347, 3.6325073, 9.1929626e-1,
      1.6927795, 1.6927795, 1.6927795, 1.6927795, 4.2495728e-1, 4.2495728e-1, 4.2495728e-1,
      1.5666809, 2.0752258, 3.061867e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3,
    ],
    rhos: [
      2.7932955e1, 4.43093e-1, 1.8108138e-1, 4.43093e-1, 6.5225816e-1, 1.8108138e-1, 1.0901022,
      5e-1, 5e-1, 5e-1, 5e-1, 5e-1, 5.59017e-1, 5.59017e-1, 5.59017e-1, 5.59017e-1, 9.013878e-1, 0,
      0, 0, 0, 0,
    ],
  },
  {
    localConnectivity: 2.3,
    bandwidth: 1.0,
    sigmas: [
      3.844452e-1, 2.6100159e-2, 2.7278137e-1, 7.0210266e-1, 7.1092224e-1, 2.6696777e-1,
      2.778015e-1, 8.0000004e-4, 1.1656854e-3, 1.1656854e-3, 1.1656854e-3, 1.1656854e-3,
      5.8416196e-4, 5.8416196e-4, 5.8416196e-4, 1.2539156e-3, 1.6647606e-3, 3.061867e-3,
      3.061867e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3,
    ],
    rhos: [
      5.60767e1, 2.1506217, 2.8409417, 1.7986453, 2.6654477, 3.1190343, 3.115161, 1, 1.4142135,
      1.4142135, 1.4142135, 1.4142135, 1.8027756, 1.8027756, 1.8027756, 1.118034, 1.8027756, 0, 0,
      0, 0, 0,
    ],
  },
  {
    localConnectivity: 3.0,
    bandwidth: 1.0,
    sigmas: [
      4.5116074e-2, 1.5748536e-3, 1.9537662e-3, 1.6764551e-3, 2.2755188e-3, 2.1330032e-3,
      2.4974986e-3, 8.0000004e-4, 1.1656854e-3, 1.1656854e-3, 1.1656854e-3, 1.1656854e-3,
      5.8416196e-4, 5.8416196e-4, 5.8416196e-4, 1.2539156e-3, 1.6647606e-3, 3.061867e-3,
      3.061867e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3,
    ],
    rhos: [
      5.6568542e1, 2.1802044, 3.239961, 2.9516127, 3.8962913, 3.479328, 3.4967735, 1, 1.4142135,
      1.4142135, 1.4142135, 1.4142135, 1.8027756, 1.8027756, 1.8027756, 1.118034, 1.8027756, 0, 0,
      0, 0, 0,
    ],
  },
  {
    localConnectivity: 0.0,
    bandwidth: 1.0,
    sigmas: [
      1.0368359e2, 3.5, 4.118469, 3.5909424, 4.97876, 4.484375, 5.6741943, 1.8385925, 2.635559,
      2.635559, 2.635559, 2.635559, 7.5860596e-1, 7.5860596e-1, 7.5860596e-1, 2.6987305, 3.7722778,
      3.061867e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3,
    ],
    rhos: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  },
  {
    localConnectivity: 1.0,
    bandwidth: 0.5,
    sigmas: [
      4.5116074e-2, 4.7528076e-1, 9.253235e-1, 2.288971e-1, 4.4805908e-1, 1.027771, 3.6769104e-1,
      8.0000004e-4, 1.634903e-1, 1.634903e-1, 1.634903e-1, 1.634903e-1, 5.8416196e-4, 5.8416196e-4,
      5.8416196e-4, 1.2539156e-3, 1.6647606e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3,
      3.061867e-3,
    ],
    rhos: [
      5.586591e1, 8.86186e-1, 3.6216277e-1, 8.86186e-1, 1.3045163, 3.6216277e-1, 2.1802044, 1, 1, 1,
      1, 1, 1.118034, 1.118034, 1.118034, 1.118034, 1.8027756, 0, 0, 0, 0, 0,
    ],
  },
  {
    localConnectivity: 1.0,
    bandwidth: 1.5,
    sigmas: [
      3.4771729, 7.6081543, 1.4637695e1, 8.286621, 1.06640625e1, 1.6216797e1, 6.5805664,
      8.0000004e-4, 3.1590576, 3.1590576, 3.1590576, 3.1590576, 9.406128e-1, 9.406128e-1,
      9.406128e-1, 2.4691162, 1.5285034, 3.061867e-3, 3.061867e-3, 3.061867e-3, 3.061867e-3,
      3.061867e-3,
    ],
    rhos: [
      5.586591e1, 8.86186e-1, 3.6216277e-1, 8.86186e-1, 1.3045163, 3.6216277e-1, 2.1802044, 1, 1, 1,
      1, 1, 1.118034, 1.118034, 1.118034, 1.118034, 1.8027756, 0, 0, 0, 0, 0,
    ],
  },
];
/** umap_.fuzzy_simplicial_set(..., knn_indices, knn_dists, set_op_mix_ratio, local_connectivity), COO. */
const FUZZY_SIMPLICIAL_SET = [
  {
    localConnectivity: 1.0,
    setOpMixRatio: 1.0,
    rows: [
      0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 6,
      6, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 11, 11, 11, 11, 12, 12,
      12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 16, 16, 16, 17, 17, 17, 17, 18, 18, 18,
      18, 19, 19, 19, 19, 20, 20, 20, 20, 21, 21, 21, 21,
    ],
    cols: [
      7, 8, 9, 10, 2, 3, 4, 5, 6, 1, 3, 4, 5, 6, 1, 2, 4, 5, 6, 1, 2, 3, 5, 1, 2, 3, 4, 6, 1, 2, 3,
      5, 0, 8, 9, 10, 11, 0, 7, 9, 10, 11, 0, 7, 8, 10, 11, 0, 7, 8, 9, 11, 7, 8, 9, 10, 13, 14, 15,
      16, 12, 14, 15, 16, 12, 13, 15, 16, 12, 13, 14, 12, 13, 14, 18, 19, 20, 21, 17, 19, 20, 21,
      17, 18, 20, 21, 17, 18, 19, 21, 17, 18, 19, 20,
    ],
    weights: [
      2.570046e-1, 1, 6.493207e-2, 1, 6.8167984e-1, 1, 8.437938e-1, 4.9740335e-1, 1, 6.8167984e-1,
      4.248872e-1, 3.2302895e-1, 1, 6.418243e-1, 1, 4.248872e-1, 1, 4.332363e-1, 7.1225506e-1,
      8.437938e-1, 3.2302895e-1, 1, 3.0356294e-1, 4.9740335e-1, 1, 4.332363e-1, 3.0356294e-1,
      5.8615285e-1, 1, 6.418243e-1, 7.1225506e-1, 5.8615285e-1, 2.570046e-1, 1, 1, 1, 1, 1, 1,
      4.091141e-1, 7.9325294e-1, 7.9325294e-1, 6.493207e-2, 1, 4.091141e-1, 7.9325294e-1,
      7.9325294e-1, 1, 1, 7.9325294e-1, 7.9325294e-1, 4.091141e-1, 1, 7.9325294e-1, 7.9325294e-1,
      4.091141e-1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ],
  },
  {
    localConnectivity: 1.5,
    setOpMixRatio: 1.0,
    rows: [
      0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 6,
      6, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 11, 11, 11, 11, 12, 12,
      12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 16, 16, 16, 17, 17, 17, 17, 18, 18, 18,
      18, 19, 19, 19, 19, 20, 20, 20, 20, 21, 21, 21, 21,
    ],
    cols: [
      7, 8, 9, 10, 2, 3, 4, 5, 6, 1, 3, 4, 5, 6, 1, 2, 4, 5, 6, 1, 2, 3, 5, 1, 2, 3, 4, 6, 1, 2, 3,
      5, 0, 8, 9, 10, 11, 0, 7, 9, 10, 11, 0, 7, 8, 10, 11, 0, 7, 8, 9, 11, 7, 8, 9, 10, 13, 14, 15,
      16, 12, 14, 15, 16, 12, 13, 15, 16, 12, 13, 14, 12, 13, 14, 18, 19, 20, 21, 17, 19, 20, 21,
      17, 18, 20, 21, 17, 18, 19, 21, 17, 18, 19, 20,
    ],
    weights: [
      2.570046e-1, 1, 6.493207e-2, 1, 6.860812e-1, 1, 8.9662445e-1, 5.416114e-1, 9.9999994e-1,
      6.860812e-1, 4.1080555e-1, 2.8030378e-1, 1, 6.05813e-1, 1, 4.1080555e-1, 1, 4.2495918e-1,
      7.5672245e-1, 8.9662445e-1, 2.8030378e-1, 1, 2.578854e-1, 5.416114e-1, 1, 4.2495918e-1,
      2.578854e-1, 5.261032e-1, 9.9999994e-1, 6.05813e-1, 7.5672245e-1, 5.261032e-1, 2.570046e-1, 1,
      1, 1, 1, 1, 1, 2.525707e-1, 8.3454114e-1, 8.3454114e-1, 6.493207e-2, 1, 2.525707e-1,
      8.3454114e-1, 8.3454114e-1, 1, 1, 8.3454114e-1, 8.3454114e-1, 2.525707e-1, 1, 8.3454114e-1,
      8.3454114e-1, 2.525707e-1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ],
  },
  {
    localConnectivity: 2.0,
    setOpMixRatio: 0.5,
    rows: [
      0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 6,
      6, 7, 7, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13,
      13, 13, 14, 14, 14, 14, 15, 15, 15, 16, 16, 16, 17, 17, 17, 17, 18, 18, 18, 18, 19, 19, 19,
      19, 20, 20, 20, 20, 21, 21, 21, 21,
    ],
    cols: [
      7, 8, 9, 10, 2, 3, 4, 5, 6, 1, 3, 4, 5, 6, 1, 2, 4, 5, 6, 1, 2, 3, 5, 1, 2, 3, 4, 6, 1, 2, 3,
      5, 0, 8, 9, 10, 11, 0, 7, 10, 11, 0, 7, 10, 11, 0, 7, 8, 9, 7, 8, 9, 13, 14, 15, 16, 12, 14,
      15, 16, 12, 13, 15, 16, 12, 13, 14, 12, 13, 14, 18, 19, 20, 21, 17, 19, 20, 21, 17, 18, 20,
      21, 17, 18, 19, 21, 17, 18, 19, 20,
    ],
    weights: [
      1.285023e-1, 5e-1, 3.2466035e-2, 5e-1, 5.000003e-1, 1, 1, 5e-1, 6.6096705e-1, 5.000003e-1,
      1.0731305e-1, 8.620627e-2, 1, 1.70272e-1, 1, 1.0731305e-1, 1, 1.1942505e-1, 5.922982e-1, 1,
      8.620627e-2, 1, 7.4755974e-2, 5e-1, 1, 1.1942505e-1, 7.4755974e-2, 8.588745e-2, 6.6096705e-1,
      1.70272e-1, 5.922982e-1, 8.588745e-2, 1.285023e-1, 1, 1, 1, 1, 5e-1, 1, 1, 1, 3.2466035e-2, 1,
      1, 1, 5e-1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ],
  },
  {
    localConnectivity: 1.0,
    setOpMixRatio: 0.0,
    rows: [
      1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9, 10,
      10, 10, 10, 11, 11, 11, 11, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15, 17, 17, 17, 17,
      18, 18, 18, 18, 19, 19, 19, 19, 20, 20, 20, 20, 21, 21, 21, 21,
    ],
    cols: [
      2, 3, 4, 6, 1, 5, 6, 1, 4, 6, 1, 3, 2, 6, 1, 2, 3, 5, 8, 9, 10, 11, 7, 9, 10, 11, 7, 8, 10,
      11, 7, 8, 9, 11, 7, 8, 9, 10, 13, 14, 15, 12, 14, 15, 12, 13, 15, 12, 13, 14, 18, 19, 20, 21,
      17, 19, 20, 21, 17, 18, 20, 21, 17, 18, 19, 21, 17, 18, 19, 20,
    ],
    weights: [
      1.8072404e-1, 1, 3.3883256e-1, 4.7561553e-1, 1.8072404e-1, 1, 1.6111763e-1, 1, 7.8034043e-1,
      1.7412435e-1, 3.3883256e-1, 7.8034043e-1, 1, 1.2526245e-1, 4.7561553e-1, 1.6111763e-1,
      1.7412435e-1, 1.2526245e-1, 1, 1, 1, 1, 1, 5.3503837e-2, 2.9735816e-1, 2.9735816e-1, 1,
      5.3503837e-2, 2.9735816e-1, 2.9735816e-1, 1, 2.9735816e-1, 2.9735816e-1, 5.3503837e-2, 1,
      2.9735816e-1, 2.9735816e-1, 5.3503837e-2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ],
  },
];
/** umap_.smooth_knn_dist(np.zeros((4, 3), np.float32), 3): four identical points. */
const IDENTICAL_POINTS = {
  sigmas: [5.421011e-20, 5.421011e-20, 5.421011e-20, 5.421011e-20],
  rhos: [0, 0, 0, 0],
};

const knnGraph = (): KnnGraph => ({
  n: KNN.n,
  k: KNN.k,
  indices: Int32Array.from(KNN.indices),
  distances: Float32Array.from(KNN.distances),
});

/**
 * umap-learn searches sigma in float32 (numba locals) and computes the floor in float32: one
 * or two float32 ulps (~1e-7 relative) apart, where the binary search itself stops at 1e-5 in
 * the sum, which moves sigma by ~1e-6 or more.
 */
const SIGMA_RELATIVE_TOLERANCE = 5e-7;

describe('smoothKnnDistances against umap-learn smooth_knn_dist', () => {
  it.each(SMOOTH_KNN_DIST)(
    'local connectivity $localConnectivity, bandwidth $bandwidth',
    ({ localConnectivity, bandwidth, sigmas, rhos }) => {
      const got = smoothKnnDistances(knnGraph(), localConnectivity, bandwidth);
      // rho is the same float32 arithmetic in both: equal to the bit.
      expect(Array.from(got.rhos)).toEqual(Array.from(Float32Array.from(rhos)));
      sigmas.forEach((want, i) => {
        const relative = Math.abs(got.sigmas[i]! / want - 1);
        expect(relative, `sigma of point ${i}: ${got.sigmas[i]} vs ${want}`).toBeLessThan(
          SIGMA_RELATIVE_TOLERANCE,
        );
      });
    },
  );

  it('ignores an interpolation below 1e-5, as umap-learn (the script checks it gives the same)', () => {
    const exact = smoothKnnDistances(knnGraph(), 1);
    const nudged = smoothKnnDistances(knnGraph(), 1 + 5e-6);
    expect(nudged.rhos).toEqual(exact.rhos);
    expect(nudged.sigmas).toEqual(exact.sigmas);
  });

  it('puts the sum of memberships on log2(k) * bandwidth wherever the target is reachable', () => {
    const knn = knnGraph();
    for (const bandwidth of [0.5, 1, 1.5]) {
      const { sigmas, rhos } = smoothKnnDistances(knn, 1, bandwidth);
      const target = Math.log2(knn.k) * bandwidth;
      for (let i = 0; i < knn.n; i++) {
        let atZero = 0;
        let sum = 0;
        for (let j = 1; j < knn.k; j++) {
          const d = knn.distances[i * knn.k + j]! - rhos[i]!;
          if (d <= 0) atZero++;
          sum += d > 0 ? Math.exp(-d / sigmas[i]!) : 1;
        }
        // As sigma -> 0 the sum falls to the neighbours at rho; below that, no sigma fits.
        if (atZero < target) expect(Math.abs(sum - target), `point ${i}`).toBeLessThan(2e-5);
      }
    }
  });

  it('gives 4 identical points rho 0 and the sigma left after 64 halvings', () => {
    const same: KnnGraph = {
      n: 4,
      k: 3,
      indices: Int32Array.from([0, 1, 2, 1, 0, 2, 2, 0, 1, 3, 0, 1]),
      distances: new Float32Array(12),
    };
    const { sigmas, rhos } = smoothKnnDistances(same);
    expect(Array.from(rhos)).toEqual(IDENTICAL_POINTS.rhos);
    expect(Array.from(sigmas)).toEqual(Array.from(Float32Array.from(IDENTICAL_POINTS.sigmas)));
    expect(sigmas[0]).toBe(2 ** -64);
  });
});

describe('fuzzySimplicialSet against umap-learn fuzzy_simplicial_set', () => {
  it.each(FUZZY_SIMPLICIAL_SET)(
    'local connectivity $localConnectivity, set_op_mix_ratio $setOpMixRatio',
    ({ localConnectivity, setOpMixRatio, rows, cols, weights }) => {
      // The defaults (1, 1) are exercised by passing no options.
      const options =
        localConnectivity === 1 && setOpMixRatio === 1 ? {} : { localConnectivity, setOpMixRatio };
      const g = fuzzySimplicialSet(knnGraph(), options);
      expect(g.n).toBe(KNN.n);
      expect(Array.from(g.rows)).toEqual(rows);
      expect(Array.from(g.cols)).toEqual(cols);
      weights.forEach((w, e) =>
        expect(Math.abs(g.weights[e]! - w), `edge ${rows[e]}-${cols[e]}`).toBeLessThan(1e-6),
      );
    },
  );

  it('is symmetric, without self-loops or the unfilled slot, every edge a kNN pair', () => {
    const knn = knnGraph();
    const listed = (i: number, j: number) =>
      Array.from(knn.indices.subarray(i * knn.k, (i + 1) * knn.k)).includes(j);
    for (const setOpMixRatio of [0, 0.5, 1]) {
      const g = fuzzySimplicialSet(knn, { setOpMixRatio });
      const weight = new Map<string, number>();
      g.rows.forEach((i, e) => weight.set(`${i},${g.cols[e]}`, g.weights[e]!));
      g.rows.forEach((i, e) => {
        const j = g.cols[e]!;
        expect(i).not.toBe(j);
        expect(j).toBeGreaterThanOrEqual(0);
        expect(listed(i, j) || listed(j, i), `edge ${i}-${j}`).toBe(true);
        expect(weight.get(`${j},${i}`), `edge ${j}-${i}`).toBe(g.weights[e]);
        expect(g.weights[e]).toBeGreaterThan(0);
        expect(g.weights[e]).toBeLessThanOrEqual(1);
      });
    }
  });
});

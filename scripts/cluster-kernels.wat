;; WASM SIMD kernel for src/lib/core/cluster (compiled to base64 by
;; scripts/build-wasm.ts into src/lib/core/cluster/wasm-bytes.ts).
;;
;; sqdist: out[i*stride + j] = max(0, na[i] + nb[j] - 2 dot(A row i, B row j))
;; for i < aRows, j < bRows: squared Euclidean distances from dot products and precomputed
;; squared norms, the one hot loop of k-means, Ward, HDBSCAN and silhouettes. With `mirror`,
;; each value also goes to tout[j*stride + i], so a symmetric table is filled from its upper
;; triangle without a separate (cache-hostile) transpose pass.
;; Pointers are byte offsets; rows are dp floats apart. The caller guarantees aRows % 2 == 0,
;; bRows % 4 == 0, dp % 4 == 0 and dp > 0 (it pads with zero rows and columns), so there are no
;; remainder loops. A 2x4 register tile (8 f32x4 accumulators, 2 + 1 loads live) fits the 16
;; x86 XMM registers without spills; it measured faster here than 1x4, 3x4 and 4x4 tiles. The
;; memory is imported so the caller sizes it once (up to a 400 MB distance matrix).
;;
;; prim_step: one step of Prim's algorithm on HDBSCAN's dense mutual-reachability graph, four
;; vertices per instruction. first_below: the next entry of a row under a threshold (the k
;; nearest neighbours of core distances skip most of a row with it). argmin_masked and
;; ward_update are the nearest-neighbour search and the Lance-Williams update of Ward's NN-chain.
(module
  (import "env" "mem" (memory 1 65536))
  (func (export "sqdist")
    (param $a i32) (param $aRows i32) (param $b i32) (param $bRows i32) (param $dp i32)
    (param $na i32) (param $nb i32) (param $out i32) (param $stride i32)
    (param $mirror i32) (param $tout i32)
    (local $rowBytes i32) (local $strideBytes i32) (local $p i32) (local $r0 v128) (local $r1 v128) (local $i i32) (local $j i32) (local $k i32) (local $o i32)
    (local $pa0 i32) (local $pa1 i32) (local $pb0 i32) (local $pb1 i32) (local $pb2 i32) (local $pb3 i32)
    (local $x0 v128) (local $x1 v128) (local $y v128) (local $t0 v128) (local $t1 v128) (local $nbv v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local.set $rowBytes (i32.shl (local.get $dp) (i32.const 2)))
    (local.set $strideBytes (i32.shl (local.get $stride) (i32.const 2)))
    (block $iend
      (loop $iloop
        (br_if $iend (i32.ge_u (local.get $i) (local.get $aRows)))
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $pa1 (i32.add (local.get $pa0) (local.get $rowBytes)))
        (local.set $j (i32.const 0))
        (block $jend
          (loop $jloop
            (br_if $jend (i32.ge_u (local.get $j) (local.get $bRows)))
            (local.set $pb0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $rowBytes))))
            (local.set $pb1 (i32.add (local.get $pb0) (local.get $rowBytes)))
            (local.set $pb2 (i32.add (local.get $pb1) (local.get $rowBytes)))
            (local.set $pb3 (i32.add (local.get $pb2) (local.get $rowBytes)))
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c02 (v128.const i32x4 0 0 0 0))
            (local.set $c03 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c12 (v128.const i32x4 0 0 0 0))
            (local.set $c13 (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.const 0))
            (loop $kloop
              (local.set $x0 (v128.load (i32.add (local.get $pa0) (local.get $k))))
              (local.set $x1 (v128.load (i32.add (local.get $pa1) (local.get $k))))
              (local.set $y (v128.load (i32.add (local.get $pb0) (local.get $k))))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x0) (local.get $y))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x1) (local.get $y))))
              (local.set $y (v128.load (i32.add (local.get $pb1) (local.get $k))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x0) (local.get $y))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x1) (local.get $y))))
              (local.set $y (v128.load (i32.add (local.get $pb2) (local.get $k))))
              (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $x0) (local.get $y))))
              (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $x1) (local.get $y))))
              (local.set $y (v128.load (i32.add (local.get $pb3) (local.get $k))))
              (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $x0) (local.get $y))))
              (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $x1) (local.get $y))))
              (local.set $k (i32.add (local.get $k) (i32.const 16)))
              (br_if $kloop (i32.lt_u (local.get $k) (local.get $rowBytes))))
            (local.set $nbv (v128.load (i32.add (local.get $nb) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $o (i32.add (local.get $out)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $stride)) (local.get $j)) (i32.const 2))))
            ;; Horizontal sums of four accumulators at once: [sum c00, sum c01, sum c02, sum c03].
            (local.set $t0 (f32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c00) (local.get $c01))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c00) (local.get $c01))))
            (local.set $t1 (f32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c02) (local.get $c03))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c02) (local.get $c03))))
            (local.set $t0 (f32x4.add
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $t0) (local.get $t1))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $t0) (local.get $t1))))
            (local.set $r0
              (f32x4.max (v128.const f32x4 0 0 0 0)
                (f32x4.sub
                  (f32x4.add
                    (f32x4.splat (f32.load (i32.add (local.get $na) (i32.shl (local.get $i) (i32.const 2)))))
                    (local.get $nbv))
                  (f32x4.add (local.get $t0) (local.get $t0)))))
            (v128.store (local.get $o) (local.get $r0))
            (local.set $t0 (f32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c10) (local.get $c11))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c10) (local.get $c11))))
            (local.set $t1 (f32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c12) (local.get $c13))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c12) (local.get $c13))))
            (local.set $t0 (f32x4.add
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $t0) (local.get $t1))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $t0) (local.get $t1))))
            (local.set $r1
              (f32x4.max (v128.const f32x4 0 0 0 0)
                (f32x4.sub
                  (f32x4.add
                    (f32x4.splat (f32.load offset=4 (i32.add (local.get $na) (i32.shl (local.get $i) (i32.const 2)))))
                    (local.get $nbv))
                  (f32x4.add (local.get $t0) (local.get $t0)))))
            (v128.store (i32.add (local.get $o) (local.get $strideBytes)) (local.get $r1))
            ;; Transposed copy: (i, i+1) pairs for columns j..j+3 are 64-bit stores down 4 rows.
            (if (local.get $mirror)
              (then
                (local.set $p (i32.add (local.get $tout)
                  (i32.shl (i32.add (i32.mul (local.get $j) (local.get $stride)) (local.get $i)) (i32.const 2))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (v128.store64_lane 0 (local.get $p) (local.get $t0))
                (local.set $p (i32.add (local.get $p) (local.get $strideBytes)))
                (v128.store64_lane 1 (local.get $p) (local.get $t0))
                (local.set $p (i32.add (local.get $p) (local.get $strideBytes)))
                (v128.store64_lane 0 (local.get $p) (local.get $t1))
                (local.set $p (i32.add (local.get $p) (local.get $strideBytes)))
                (v128.store64_lane 1 (local.get $p) (local.get $t1))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $jloop)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $iloop))))

  ;; For u < n (n % 4 == 0): mr = max(row[u], core[u], cc); where mr < best[u], best[u] = mr and
  ;; from[u] = current. Returns the first u holding the smallest best[u]. Visited vertices and
  ;; padding carry core = best = +inf, so they never change and never win.
  (func (export "prim_step")
    (param $row i32) (param $core i32) (param $best i32) (param $from i32) (param $n i32)
    (param $cc f32) (param $current i32) (result i32)
    (local $off i32) (local $end i32) (local $v f32) (local $i i32)
    (local $m f32) (local $mi i32)
    (local $ccv v128) (local $curv v128) (local $idx v128) (local $mr v128) (local $b v128)
    (local $lt v128) (local $minv v128) (local $mini v128)
    (local.set $ccv (f32x4.splat (local.get $cc)))
    (local.set $curv (i32x4.splat (local.get $current)))
    (local.set $idx (v128.const i32x4 0 1 2 3))
    (local.set $minv (v128.const f32x4 inf inf inf inf))
    (local.set $mini (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $mr (f32x4.max
          (f32x4.max
            (v128.load (i32.add (local.get $row) (local.get $off)))
            (v128.load (i32.add (local.get $core) (local.get $off))))
          (local.get $ccv)))
        (local.set $b (v128.load (i32.add (local.get $best) (local.get $off))))
        (local.set $lt (f32x4.lt (local.get $mr) (local.get $b)))
        (local.set $b (v128.bitselect (local.get $mr) (local.get $b) (local.get $lt)))
        (v128.store (i32.add (local.get $best) (local.get $off)) (local.get $b))
        (v128.store (i32.add (local.get $from) (local.get $off))
          (v128.bitselect (local.get $curv)
            (v128.load (i32.add (local.get $from) (local.get $off))) (local.get $lt)))
        ;; Strictly smaller only: each lane keeps the first index of its minimum.
        (local.set $lt (f32x4.lt (local.get $b) (local.get $minv)))
        (local.set $minv (v128.bitselect (local.get $b) (local.get $minv) (local.get $lt)))
        (local.set $mini (v128.bitselect (local.get $idx) (local.get $mini) (local.get $lt)))
        (local.set $idx (i32x4.add (local.get $idx) (v128.const i32x4 4 4 4 4)))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $scan)))
    ;; Across lanes: the smallest value, then the smallest index (unsigned, so an unset -1 loses).
    (local.set $m (f32x4.extract_lane 0 (local.get $minv)))
    (local.set $mi (i32x4.extract_lane 0 (local.get $mini)))
    (local.set $v (f32x4.extract_lane 1 (local.get $minv)))
    (local.set $i (i32x4.extract_lane 1 (local.get $mini)))
    (if (i32.or
          (f32.lt (local.get $v) (local.get $m))
          (i32.and (f32.eq (local.get $v) (local.get $m)) (i32.lt_u (local.get $i) (local.get $mi))))
      (then
        (local.set $m (local.get $v))
        (local.set $mi (local.get $i))))
    (local.set $v (f32x4.extract_lane 2 (local.get $minv)))
    (local.set $i (i32x4.extract_lane 2 (local.get $mini)))
    (if (i32.or
          (f32.lt (local.get $v) (local.get $m))
          (i32.and (f32.eq (local.get $v) (local.get $m)) (i32.lt_u (local.get $i) (local.get $mi))))
      (then
        (local.set $m (local.get $v))
        (local.set $mi (local.get $i))))
    (local.set $v (f32x4.extract_lane 3 (local.get $minv)))
    (local.set $i (i32x4.extract_lane 3 (local.get $mini)))
    (if (i32.or
          (f32.lt (local.get $v) (local.get $m))
          (i32.and (f32.eq (local.get $v) (local.get $m)) (i32.lt_u (local.get $i) (local.get $mi))))
      (then
        (local.set $m (local.get $v))
        (local.set $mi (local.get $i))))
    (local.get $mi))

  ;; The first j in [from, n) with row[j] < t, or n.
  (func (export "first_below")
    (param $row i32) (param $from i32) (param $n i32) (param $t f32) (result i32)
    (local $j i32) (local $tv v128)
    (local.set $j (local.get $from))
    (local.set $tv (f32x4.splat (local.get $t)))
    ;; Scalar up to a multiple of 4, four at a time while a whole vector fits, scalar after.
    (block $aligned
      (loop $head
        (br_if $aligned (i32.eqz (i32.and (local.get $j) (i32.const 3))))
        (br_if $aligned (i32.ge_u (local.get $j) (local.get $n)))
        (if (f32.lt (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
                    (local.get $t))
          (then (return (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $head)))
    (block $tail
      (loop $body
        (br_if $tail (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (br_if $tail (v128.any_true (f32x4.lt
          (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
          (local.get $tv))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $body)))
    (block $none
      (loop $rest
        (br_if $none (i32.ge_u (local.get $j) (local.get $n)))
        (if (f32.lt (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
                    (local.get $t))
          (then (return (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rest)))
    (local.get $n))

  ;; The first u < n (n % 4 == 0) with the smallest row[u] + penalty[u], or -1 if none is
  ;; finite-or-smaller than +inf. Dead clusters carry penalty +inf.
  (func (export "argmin_masked") (param $row i32) (param $penalty i32) (param $n i32) (result i32)
    (local $off i32) (local $end i32) (local $v f32) (local $i i32) (local $m f32) (local $mi i32)
    (local $x v128) (local $lt v128) (local $idx v128) (local $minv v128) (local $mini v128)
    (local.set $idx (v128.const i32x4 0 1 2 3))
    (local.set $minv (v128.const f32x4 inf inf inf inf))
    (local.set $mini (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $x (f32x4.add
          (v128.load (i32.add (local.get $row) (local.get $off)))
          (v128.load (i32.add (local.get $penalty) (local.get $off)))))
        (local.set $lt (f32x4.lt (local.get $x) (local.get $minv)))
        (local.set $minv (v128.bitselect (local.get $x) (local.get $minv) (local.get $lt)))
        (local.set $mini (v128.bitselect (local.get $idx) (local.get $mini) (local.get $lt)))
        (local.set $idx (i32x4.add (local.get $idx) (v128.const i32x4 4 4 4 4)))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $scan)))
    (local.set $m (f32x4.extract_lane 0 (local.get $minv)))
    (local.set $mi (i32x4.extract_lane 0 (local.get $mini)))
    (local.set $v (f32x4.extract_lane 1 (local.get $minv)))
    (local.set $i (i32x4.extract_lane 1 (local.get $mini)))
    (if (i32.or
          (f32.lt (local.get $v) (local.get $m))
          (i32.and (f32.eq (local.get $v) (local.get $m)) (i32.lt_u (local.get $i) (local.get $mi))))
      (then
        (local.set $m (local.get $v))
        (local.set $mi (local.get $i))))
    (local.set $v (f32x4.extract_lane 2 (local.get $minv)))
    (local.set $i (i32x4.extract_lane 2 (local.get $mini)))
    (if (i32.or
          (f32.lt (local.get $v) (local.get $m))
          (i32.and (f32.eq (local.get $v) (local.get $m)) (i32.lt_u (local.get $i) (local.get $mi))))
      (then
        (local.set $m (local.get $v))
        (local.set $mi (local.get $i))))
    (local.set $v (f32x4.extract_lane 3 (local.get $minv)))
    (local.set $i (i32x4.extract_lane 3 (local.get $mini)))
    (if (i32.or
          (f32.lt (local.get $v) (local.get $m))
          (i32.and (f32.eq (local.get $v) (local.get $m)) (i32.lt_u (local.get $i) (local.get $mi))))
      (then
        (local.set $m (local.get $v))
        (local.set $mi (local.get $i))))
    (local.get $mi))

  ;; Lance-Williams for Ward on squared distances, clusters x and y merging into y's row:
  ;; rowY[u] = ((nx + s) rowX[u] + (ny + s) rowY[u] - s dxy) / (nx + ny + s), s = sizes[u],
  ;; for u < n (n % 4 == 0). Entries of dead clusters (s = 0) become junk the penalty hides.
  (func (export "ward_update")
    (param $rowX i32) (param $rowY i32) (param $sizes i32) (param $n i32)
    (param $nx f32) (param $ny f32) (param $dxy f32)
    (local $off i32) (local $end i32) (local $s v128)
    (local $nxv v128) (local $nyv v128) (local $nxyv v128) (local $dv v128)
    (local.set $nxv (f32x4.splat (local.get $nx)))
    (local.set $nyv (f32x4.splat (local.get $ny)))
    (local.set $nxyv (f32x4.splat (f32.add (local.get $nx) (local.get $ny))))
    (local.set $dv (f32x4.splat (local.get $dxy)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $s (v128.load (i32.add (local.get $sizes) (local.get $off))))
        (v128.store (i32.add (local.get $rowY) (local.get $off))
          (f32x4.div
            (f32x4.sub
              (f32x4.add
                (f32x4.mul (f32x4.add (local.get $nxv) (local.get $s))
                           (v128.load (i32.add (local.get $rowX) (local.get $off))))
                (f32x4.mul (f32x4.add (local.get $nyv) (local.get $s))
                           (v128.load (i32.add (local.get $rowY) (local.get $off)))))
              (f32x4.mul (local.get $s) (local.get $dv)))
            (f32x4.add (local.get $nxyv) (local.get $s))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $scan)))))

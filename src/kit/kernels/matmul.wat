;; matmul.wat: the fast matrix multiply, written by hand in WebAssembly text with 128-bit SIMD.
;;
;;   C (m x n)  =  op(A) (m x k)  @  op(B) (k x n)     [+ C when accumulate]
;;
;; The same contract as reference.ts (read that first). `build.mjs` assembles this file with wabt
;; into matmul-wasm.ts (base64), and wasm.ts drives it from JavaScript.
;;
;; The ideas are the classic ones from GotoBLAS / BLIS (Goto & van de Geijn, "Anatomy of
;; High-Performance Matrix Multiplication", 2008; Van Zee & van de Geijn, "BLIS", 2015):
;;
;;  1. Micro-kernel. A 4 x 8 block of C lives in 8 SIMD registers (4 rows x 2 vectors of 4 floats)
;;     for the whole k loop. Each step p loads 8 floats of B (two vectors) and 4 floats of A (each
;;     broadcast to all 4 lanes), and does 8 multiplies and 8 adds: 64 flops per 6 loads. x86-64
;;     has 16 vector registers and V8 keeps one for itself; 8 accumulators + 2 B vectors + 1 A
;;     broadcast + 1 temporary fit, larger blocks (6x8, 5x8, 4x12) spilled and ran slower.
;;     WebAssembly SIMD has no fused multiply-add, so each is a mul then an add; build.mjs also
;;     makes a second build where they become one `f32x4.relaxed_madd` (Relaxed SIMD), which
;;     wasm.ts uses where the runtime accepts it.
;;  2. Packing. Before computing, A and B are copied into "panels" in exactly the order the
;;     micro-kernel reads them: B as [n/8][k][8], A as [m/4][kc][4]. Then every load in the inner
;;     loop is at a constant offset from a pointer that just walks forward, whatever the transposes
;;     were, and ragged edges are padded with zeros. Transposes cost nothing extra: only the
;;     packing loops know about them. (Each thread packs its own copy of all of B: B has k*n
;;     floats and is used m times, so the copy is cheap next to the 2*m*k*n flops.)
;;  3. Blocking for the caches. k is cut into blocks of KC = 256. A 4-row panel of A for one block
;;     is 4 KB; a block of rows of A (up to 64 rows, 64 KB) stays in the L2 cache while we sweep
;;     across all the 8-column panels of B, and each B panel (8 KB) stays in L1 while all the
;;     4-row panels of A go past it.
;;  4. Threads. The rows of C are cut into tasks (a job may be a batch of products of one shape:
;;     then the tasks of all of them). Any number of threads (the caller's and worker threads, each
;;     with its own instance of this module over one shared memory) call `work`, which claims tasks
;;     with an atomic counter until none are left. See wasm.ts.
;;  5. Packing A with 4 x 4 transposes in registers (see $packA) and `addRows` for linear layers'
;;     biases, both measured: packing A row by row was about 4% of a training step's matmul time,
;;     the plain bias loops in JavaScript about 5% of the whole step.
;;
;; Addresses are byte offsets into the one shared memory. The first 64 bytes hold the job
;; description, written by wasm.ts before each job (i32 words; the byte offset is 4 x index):
;;
;;   index  name          meaning
;;     0    JOB           id of the current job (bumped for every job)
;;     1    NEXT          next task to claim (a huge value while a job is being set up)
;;     2    DONE          tasks finished (a thread waits on this for the others)
;;     3    NTASKS        number of tasks: PER_PRODUCT for each product
;;     4    PRODUCTS      address of the products table: for product p, three words at PRODUCTS + 12 p:
;;                          A  address of A as stored: (m, k) row-major, or (k, m) if transA
;;                          B  address of B as stored: (k, n), or (n, k) if transB
;;                          C  address of C, (m, n) row-major
;;     5    PER_PRODUCT   tasks per product: task q is rows block (q mod PER_PRODUCT) of product
;;                        (q / PER_PRODUCT), so the tasks go through the products in order
;;     7    M     8 K     9 N   (the same for every product of a job: a batch of equal products)
;;    10    FLAGS         bit 0 transA, bit 1 transB, bit 2 accumulate
;;    11    ROWS          rows of C per task (a multiple of 4)
;;    12    SCRATCH       address of thread 0's scratch; thread t's is at SCRATCH + t * SCRATCH_SIZE
;;    13    SCRATCH_SIZE  bytes of scratch per thread: packed B, then packed A, then one C tile
;;    14    PACKED_A      offset of the packed-A area inside a thread's scratch
;;    15    TILE          offset of the 4 x 8 edge tile inside a thread's scratch
;;
;;     6    KIND          0 for the products above; 1 for a GELU job (see $geluTask), whose words are
;;                        7 N (elements), 11 ROWS (elements per task), 12 X, 13 Y, 14 D (0: no gradient),
;;                        15 CONSTANTS (the doubles the JavaScript loop uses, then its table of 2^(k/32));
;;                        2 and 3 for causal attention, forward and backward (see $attentionTask)
;;
;; Words 16 to 18 (GEN, READY, FAILED) are used only by wasm.ts, to wake and watch the workers.
;; A job is a batch of products of the same shape (the heads of attention are 32 such products of
;; 128 x 32 x 128): one call from JavaScript, one copy of each operand, and threads share the
;; whole batch rather than waking up for each small product.
;;
;; Speed, measured on a 2-core AMD EPYC (Zen 2) under Node 20, copies in and out included: about
;; 31 GFLOP/s on one thread (36 with the fma build), where onnxruntime's MatMul (AVX2) does 70-90.
(module
  ;; The memory is created by wasm.ts and shared by every thread. 32768 pages = 2 GiB.
  (import "env" "memory" (memory 1 32768 shared))

  ;; Which job and which B (its address) this thread's packed copy of B belongs to (each thread
  ;; has its own instance, so its own globals). -1: none yet.
  (global $packedJob (mut i32) (i32.const -1))
  (global $packedB (mut i32) (i32.const -1))
  ;; The product this thread is working on: the addresses of its A, B and C (set by $task).
  (global $A (mut i32) (i32.const 0))
  (global $B (mut i32) (i32.const 0))
  (global $C (mut i32) (i32.const 0))

  ;; ---------------------------------------------------------------------------------------------
  ;; The micro-kernel: C[4 x 8] (+)= Apanel[4 x kc] @ Bpanel[kc x 8].
  ;;   $a: packed A, 4 floats per step p        $b: packed B, 8 floats per step p
  ;;   $c: top-left of the C block, $ldc bytes between its rows
  ;;   $load: 1 to add to what C holds (accumulate, or a later k block), 0 to overwrite it.
  ;; $kc must be >= 1.
  ;; ---------------------------------------------------------------------------------------------
  (func $kernel4x8 (param $a i32) (param $b i32) (param $c i32) (param $ldc i32) (param $kc i32) (param $load i32)
    ;; accumulators: $cR_V holds C[row R][4V .. 4V+3]
    (local $c0_0 v128) (local $c0_1 v128)
    (local $c1_0 v128) (local $c1_1 v128)
    (local $c2_0 v128) (local $c2_1 v128)
    (local $c3_0 v128) (local $c3_1 v128)
    (local $b0 v128) (local $b1 v128)  ;; B[p][0..3], B[p][4..7]
    (local $av v128)                   ;; A[row][p] broadcast to the 4 lanes
    (local $cp i32)

    ;; Start from C (or from zero: locals start at zero).
    (if (local.get $load) (then
      (local.set $cp (local.get $c))
      (local.set $c0_0 (v128.load offset=0 (local.get $cp)))
      (local.set $c0_1 (v128.load offset=16 (local.get $cp)))
      (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
      (local.set $c1_0 (v128.load offset=0 (local.get $cp)))
      (local.set $c1_1 (v128.load offset=16 (local.get $cp)))
      (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
      (local.set $c2_0 (v128.load offset=0 (local.get $cp)))
      (local.set $c2_1 (v128.load offset=16 (local.get $cp)))
      (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
      (local.set $c3_0 (v128.load offset=0 (local.get $cp)))
      (local.set $c3_1 (v128.load offset=16 (local.get $cp)))))

    ;; Four steps of k per trip round the loop, with an exit test after each step (k need not be a
    ;; multiple of 4). Those tests also matter for speed: they cut the body into separate blocks,
    ;; and V8 only reorders code within a block. As one block, V8 moved the loads of all four steps
    ;; to the top, ran out of registers and spilled, and ran slower than one step per trip. As it
    ;; is, four steps per trip measured about 8% faster than one.
    (block $end
    (loop $steps
      ;; step 0: B[p+0][0..7] and A[0..3][p+0]
      (local.set $b0 (v128.load offset=0 (local.get $b)))
      (local.set $b1 (v128.load offset=16 (local.get $b)))
      (local.set $av (v128.load32_splat offset=0 (local.get $a)))
      (local.set $c0_0 (f32x4.add (local.get $c0_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c0_1 (f32x4.add (local.get $c0_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=4 (local.get $a)))
      (local.set $c1_0 (f32x4.add (local.get $c1_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c1_1 (f32x4.add (local.get $c1_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=8 (local.get $a)))
      (local.set $c2_0 (f32x4.add (local.get $c2_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c2_1 (f32x4.add (local.get $c2_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=12 (local.get $a)))
      (local.set $c3_0 (f32x4.add (local.get $c3_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c3_1 (f32x4.add (local.get $c3_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (br_if $end (i32.eqz (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
      ;; step 1: B[p+1][0..7] and A[0..3][p+1]
      (local.set $b0 (v128.load offset=32 (local.get $b)))
      (local.set $b1 (v128.load offset=48 (local.get $b)))
      (local.set $av (v128.load32_splat offset=16 (local.get $a)))
      (local.set $c0_0 (f32x4.add (local.get $c0_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c0_1 (f32x4.add (local.get $c0_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=20 (local.get $a)))
      (local.set $c1_0 (f32x4.add (local.get $c1_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c1_1 (f32x4.add (local.get $c1_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=24 (local.get $a)))
      (local.set $c2_0 (f32x4.add (local.get $c2_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c2_1 (f32x4.add (local.get $c2_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=28 (local.get $a)))
      (local.set $c3_0 (f32x4.add (local.get $c3_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c3_1 (f32x4.add (local.get $c3_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (br_if $end (i32.eqz (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
      ;; step 2: B[p+2][0..7] and A[0..3][p+2]
      (local.set $b0 (v128.load offset=64 (local.get $b)))
      (local.set $b1 (v128.load offset=80 (local.get $b)))
      (local.set $av (v128.load32_splat offset=32 (local.get $a)))
      (local.set $c0_0 (f32x4.add (local.get $c0_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c0_1 (f32x4.add (local.get $c0_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=36 (local.get $a)))
      (local.set $c1_0 (f32x4.add (local.get $c1_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c1_1 (f32x4.add (local.get $c1_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=40 (local.get $a)))
      (local.set $c2_0 (f32x4.add (local.get $c2_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c2_1 (f32x4.add (local.get $c2_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=44 (local.get $a)))
      (local.set $c3_0 (f32x4.add (local.get $c3_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c3_1 (f32x4.add (local.get $c3_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (br_if $end (i32.eqz (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
      ;; step 3: B[p+3][0..7] and A[0..3][p+3]
      (local.set $b0 (v128.load offset=96 (local.get $b)))
      (local.set $b1 (v128.load offset=112 (local.get $b)))
      (local.set $av (v128.load32_splat offset=48 (local.get $a)))
      (local.set $c0_0 (f32x4.add (local.get $c0_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c0_1 (f32x4.add (local.get $c0_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=52 (local.get $a)))
      (local.set $c1_0 (f32x4.add (local.get $c1_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c1_1 (f32x4.add (local.get $c1_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=56 (local.get $a)))
      (local.set $c2_0 (f32x4.add (local.get $c2_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c2_1 (f32x4.add (local.get $c2_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=60 (local.get $a)))
      (local.set $c3_0 (f32x4.add (local.get $c3_0) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c3_1 (f32x4.add (local.get $c3_1) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))    ;; 4 steps of 4 floats of A
      (local.set $b (i32.add (local.get $b) (i32.const 128)))   ;; and of 8 floats of B
      (br_if $steps (local.tee $kc (i32.sub (local.get $kc) (i32.const 1))))))

    (local.set $cp (local.get $c))
    (v128.store offset=0 (local.get $cp) (local.get $c0_0))
    (v128.store offset=16 (local.get $cp) (local.get $c0_1))
    (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
    (v128.store offset=0 (local.get $cp) (local.get $c1_0))
    (v128.store offset=16 (local.get $cp) (local.get $c1_1))
    (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
    (v128.store offset=0 (local.get $cp) (local.get $c2_0))
    (v128.store offset=16 (local.get $cp) (local.get $c2_1))
    (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
    (v128.store offset=0 (local.get $cp) (local.get $c3_0))
    (v128.store offset=16 (local.get $cp) (local.get $c3_1)))

  ;; ---------------------------------------------------------------------------------------------
  ;; Pack all of op(B) (k x n) into panels of 8 columns: panel jp is k rows of 8 floats at
  ;; $dst + jp * k * 32, and columns at or past n are zeros. B is stored (k, n), rows n floats apart,
  ;; or, if transB, (n, k), rows k floats apart: $packPanels (below, with the attention jobs) does it.
  ;; ---------------------------------------------------------------------------------------------
  (func $packB (param $dst i32)
    (local $k i32) (local $n i32) (local $trans i32)
    (local.set $k (i32.load offset=32 (i32.const 0)))
    (local.set $n (i32.load offset=36 (i32.const 0)))
    (local.set $trans (i32.shr_u (i32.and (i32.load offset=40 (i32.const 0)) (i32.const 2)) (i32.const 1)))
    (call $packPanels (local.get $dst) (global.get $B)
      (i32.shl (select (local.get $k) (local.get $n) (local.get $trans)) (i32.const 2))
      (local.get $k) (local.get $n) (local.get $trans)))

  ;; ---------------------------------------------------------------------------------------------
  ;; Pack rows [$i0, $i1) and columns [$p0, $p0 + $kc) of op(A) into panels of 4 rows: panel ip
  ;; is $kc steps of 4 floats at $dst + ip * $stride, and rows at or past $i1 are zeros.
  ;; $stride is kc * 16 bytes plus 64: without the extra cache line, panels that are a multiple
  ;; of 4 KB apart all compete for the same few slots of the cache (its "sets").
  ;; ---------------------------------------------------------------------------------------------
  (func $packA (param $dst i32) (param $i0 i32) (param $i1 i32) (param $p0 i32) (param $kc i32) (param $stride i32)
    (local $src i32) (local $m i32) (local $k i32)
    (local $i i32) (local $p i32) (local $r i32) (local $s i32) (local $d i32) (local $ld i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128)
    (local.set $src (global.get $A))
    (local.set $m (i32.load offset=28 (i32.const 0)))
    (local.set $k (i32.load offset=32 (i32.const 0)))
    (if (i32.and (i32.load offset=40 (i32.const 0)) (i32.const 1))
      (then
        ;; A stored (k, m): step p of our rows, A[i0 .. i1-1][p], is one run of floats at p*m + i0.
        ;; Read it in order and deal it out 4 floats to each panel.
        (local.set $p (i32.const 0))
        (loop $steps
          (local.set $s (i32.add (local.get $src) (i32.shl
            (i32.add (i32.mul (i32.add (local.get $p0) (local.get $p)) (local.get $m)) (local.get $i0)) (i32.const 2))))
          (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 4))))
          (local.set $i (local.get $i0))
          (loop $panels
            (if (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $i1))
              (then (v128.store (local.get $d) (v128.load (local.get $s))))
              (else                                    ;; the last, partial panel: pad with zeros
                (local.set $r (i32.const 0))
                (loop $rows
                  (f32.store (i32.add (local.get $d) (i32.shl (local.get $r) (i32.const 2)))
                    (if (result f32) (i32.lt_u (i32.add (local.get $i) (local.get $r)) (local.get $i1))
                      (then (f32.load (i32.add (local.get $s) (i32.shl (local.get $r) (i32.const 2)))))
                      (else (f32.const 0))))
                  (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (local.get $stride)))
            (br_if $panels (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $i1))))
          (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc)))))
      (else
        ;; A stored (m, k): row i of A is k floats side by side, and a panel wants 4 rows side by
        ;; side, step by step. For a whole panel, read 4 floats of each of its 4 rows and transpose
        ;; that 4 x 4 block in registers into 4 steps (the shuffles are SSE's unpck/movlhps); the
        ;; last steps (kc mod 4) one float at a time.
        (local.set $i (local.get $i0))
        (local.set $ld (i32.shl (local.get $k) (i32.const 2)))        ;; bytes from one row to the next
        (loop $panels
          (if (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $i1))
          (then
            (local.set $s (i32.add (local.get $src) (i32.shl
              (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $p0)) (i32.const 2))))
            (local.set $d (local.get $dst))
            (local.set $p (i32.const 0))
            (block $blocks_done
              (br_if $blocks_done (i32.lt_u (local.get $kc) (i32.const 4)))
              (loop $blocks                                 ;; steps p .. p+3
                (local.set $r0 (v128.load (local.get $s)))  ;; row 0: A[i][p .. p+3]
                (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $ld))))
                (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $ld) (i32.const 1)))))
                (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $ld) (i32.const 3)))))
                ;; t0 = r0[0] r1[0] r0[1] r1[1],  t1 = r2[0] r3[0] r2[1] r3[1]
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                (v128.store offset=0 (local.get $d)         ;; step p:   r0[0] r1[0] r2[0] r3[0]
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
                (v128.store offset=16 (local.get $d)        ;; step p+1: r0[1] r1[1] r2[1] r3[1]
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
                ;; t0 = r0[2] r1[2] r0[3] r1[3],  t1 = r2[2] r3[2] r2[3] r3[3]
                (local.set $t0 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                (v128.store offset=32 (local.get $d)        ;; step p+2
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
                (v128.store offset=48 (local.get $d)        ;; step p+3
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
                (local.set $s (i32.add (local.get $s) (i32.const 16)))
                (local.set $d (i32.add (local.get $d) (i32.const 64)))
                (br_if $blocks (i32.le_u (i32.add (local.tee $p (i32.add (local.get $p) (i32.const 4))) (i32.const 4)) (local.get $kc)))))
            (block $tail_done                               ;; the last kc mod 4 steps
              (br_if $tail_done (i32.ge_u (local.get $p) (local.get $kc)))
              (loop $tail
                (f32.store offset=0 (local.get $d) (f32.load (local.get $s)))
                (f32.store offset=4 (local.get $d) (f32.load (i32.add (local.get $s) (local.get $ld))))
                (f32.store offset=8 (local.get $d) (f32.load (i32.add (local.get $s) (i32.shl (local.get $ld) (i32.const 1)))))
                (f32.store offset=12 (local.get $d) (f32.load (i32.add (local.get $s) (i32.mul (local.get $ld) (i32.const 3)))))
                (local.set $s (i32.add (local.get $s) (i32.const 4)))
                (local.set $d (i32.add (local.get $d) (i32.const 16)))
                (br_if $tail (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc))))))
          (else
          ;; The last, partial panel: each of our rows in order into its lane (every 4th float), and
          ;; zeros for rows at or past i1.
          (local.set $r (i32.const 0))
          (loop $rows
            (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))))
            (local.set $p (i32.const 0))
            (if (i32.lt_u (i32.add (local.get $i) (local.get $r)) (local.get $i1))
              (then
                (local.set $s (i32.add (local.get $src) (i32.shl
                  (i32.add (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $k)) (local.get $p0)) (i32.const 2))))
                (loop $steps
                  (f32.store (local.get $d) (f32.load (local.get $s)))
                  (local.set $s (i32.add (local.get $s) (i32.const 4)))
                  (local.set $d (i32.add (local.get $d) (i32.const 16)))
                  (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc)))))
              (else
                (loop $steps
                  (f32.store (local.get $d) (f32.const 0))
                  (local.set $d (i32.add (local.get $d) (i32.const 16)))
                  (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc))))))
            (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))))
          (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
          (br_if $panels (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $i1)))))))
  ;; ---------------------------------------------------------------------------------------------
  ;; Compute rows [$i0, $i1) of C (all n columns) on thread $t, using that thread's scratch.
  ;; Packs B first if this thread has not yet packed this B for the current job.
  ;; ---------------------------------------------------------------------------------------------
  (func $rows (param $t i32) (param $i0 i32) (param $i1 i32)
    (local $scratch i32) (local $packedB i32) (local $packedA i32) (local $tile i32)
    (local $c i32) (local $m i32) (local $k i32) (local $n i32) (local $load i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $i i32)
    (local $ap i32) (local $bp i32) (local $rv i32) (local $cv i32) (local $r i32) (local $q i32) (local $aStride i32)
    (local.set $scratch (i32.add (i32.load offset=48 (i32.const 0))
                                 (i32.mul (local.get $t) (i32.load offset=52 (i32.const 0)))))
    (local.set $packedB (local.get $scratch))
    (local.set $packedA (i32.add (local.get $scratch) (i32.load offset=56 (i32.const 0))))
    (local.set $tile (i32.add (local.get $scratch) (i32.load offset=60 (i32.const 0))))
    (local.set $c (global.get $C))
    (local.set $m (i32.load offset=28 (i32.const 0)))
    (local.set $k (i32.load offset=32 (i32.const 0)))
    (local.set $n (i32.load offset=36 (i32.const 0)))

    (if (i32.or (i32.ne (global.get $packedJob) (i32.load offset=0 (i32.const 0)))
                (i32.ne (global.get $packedB) (global.get $B)))
      (then
        (call $packB (local.get $packedB))
        (global.set $packedJob (i32.load offset=0 (i32.const 0)))
        (global.set $packedB (global.get $B))))

    ;; for each block of KC = 256 steps of k
    (local.set $p0 (i32.const 0))
    (loop $kblocks
      (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
      (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
      ;; add to C if asked to accumulate, and always after the first k block
      (local.set $load (i32.or (i32.and (i32.load offset=40 (i32.const 0)) (i32.const 4)) (local.get $p0)))
      (local.set $aStride (i32.add (i32.shl (local.get $kc) (i32.const 4)) (i32.const 64)))
      (call $packA (local.get $packedA) (local.get $i0) (local.get $i1) (local.get $p0) (local.get $kc) (local.get $aStride))

      ;; for each 8-column panel of B (it stays in L1 while all our 4-row panels of A go past)
      (local.set $j (i32.const 0))
      (loop $colpanels
        (local.set $bp (i32.add (local.get $packedB)
          (i32.shl (i32.add (i32.mul (local.get $j) (local.get $k)) (i32.shl (local.get $p0) (i32.const 3))) (i32.const 2))))
        (local.set $cv (i32.sub (local.get $n) (local.get $j)))          ;; valid columns, at most 8
        (if (i32.gt_u (local.get $cv) (i32.const 8)) (then (local.set $cv (i32.const 8))))

        ;; for each 4-row panel of A
        (local.set $i (local.get $i0))
        (local.set $ap (local.get $packedA))
        (loop $rowpanels
          (local.set $rv (i32.sub (local.get $i1) (local.get $i)))       ;; valid rows, at most 4
          (if (i32.gt_u (local.get $rv) (i32.const 4)) (then (local.set $rv (i32.const 4))))
          (if (i32.and (i32.eq (local.get $rv) (i32.const 4)) (i32.eq (local.get $cv) (i32.const 8)))
            (then
              ;; a whole 4 x 8 block: straight into C
              (call $kernel4x8 (local.get $ap) (local.get $bp)
                (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2)))
                (i32.shl (local.get $n) (i32.const 2)) (local.get $kc) (local.get $load)))
            (else
              ;; a ragged edge: go through a 4 x 8 scratch tile and copy only the valid part
              (if (local.get $load) (then
                (local.set $r (i32.const 0))
                (loop $in_r
                  (local.set $q (i32.const 0))
                  (loop $in_q
                    (f32.store
                      (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $q)) (i32.const 2)))
                      (f32.load (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $n))
                                                                          (i32.add (local.get $j) (local.get $q))) (i32.const 2)))))
                    (br_if $in_q (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $cv))))
                  (br_if $in_r (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rv))))))
              (call $kernel4x8 (local.get $ap) (local.get $bp) (local.get $tile) (i32.const 32) (local.get $kc) (local.get $load))
              (local.set $r (i32.const 0))
              (loop $out_r
                (local.set $q (i32.const 0))
                (loop $out_q
                  (f32.store
                    (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $n))
                                                              (i32.add (local.get $j) (local.get $q))) (i32.const 2)))
                    (f32.load (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $q)) (i32.const 2)))))
                  (br_if $out_q (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $cv))))
                (br_if $out_r (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rv))))))
          (local.set $ap (i32.add (local.get $ap) (local.get $aStride)))   ;; next panel of A
          (br_if $rowpanels (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $i1))))
        (br_if $colpanels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $n))))
      (br_if $kblocks (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (i32.const 256))) (local.get $k)))))

  ;; ---------------------------------------------------------------------------------------------
  ;; Causal self-attention as one job (KIND 2: forward, KIND 3: backward), the op ops/attention.ts
  ;; runs for a GPT's CausalSelfAttention (nn.ts). One task per (batch b, head h): q = b NH + h.
  ;; Q, K, V, Y (and their gradients) are (B, T, C) with C = NH HS, head h in channels
  ;; [h HS, (h + 1) HS), so row t of head h is at (b T C + t C + h HS) floats: no transposes.
  ;; P (the attention probabilities) is (B, NH, T, T). The words of these jobs:
  ;;    7 T   8 HS   9 NH   12 SCRATCH   13 SCRATCH_SIZE   20 Q   21 K   22 V   23 Y (forward) or
  ;;   DY (backward)   24 P   25 DQ   26 DK   27 DV   28 CONSTANTS (as for GELU)   bytes 120..127 SCALE (f64)
  ;;
  ;; The numbers are exactly those of the ops the fused op stands for (nn.ts reads them one by one:
  ;; matmul, scaledMaskedSoftmax, matmul, and their backwards), bit for bit, for finite inputs:
  ;;  - every product goes through $kernel4x8, so each element is the same sum, in the same order
  ;;    (k ascending from zero), as matmul's; the loops only leave out terms that are exactly zero,
  ;;    the masked future: a probability or a score gradient of 0 times a finite number adds +-0,
  ;;    and an accumulator that starts at +0 never becomes -0, so leaving them out changes nothing;
  ;;  - the softmax and its backward are kernels/softmax.ts's float64 loops, operation for operation
  ;;    (the same exp32 with its table, the same rounding to float32 where those store a float32).
  ;; And it does less: half of the T x T products are never computed, nothing is transposed, and
  ;; the rows of scores never leave the cache.
  ;; ---------------------------------------------------------------------------------------------

  ;; B panels for $kernel4x8 from a matrix M with rows $ld bytes apart: [ceil(n/8)][k][8] at $dst,
  ;; element (p, j) = M[p][j] (trans 0: M is k x n) or M[j][p] (trans 1: M is n x k); zeros past n.
  ;; Each loop reads M along its rows where it can: caches and prefetchers like that. ($packB uses it too.)
  (func $packPanels (param $dst i32) (param $src i32) (param $ld i32) (param $k i32) (param $n i32) (param $trans i32)
    (local $j i32) (local $p i32) (local $c i32) (local $s i32) (local $d i32)
    (loop $panels
      (if (i32.and (i32.eqz (local.get $trans)) (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
        (then                                           ;; a whole panel of M[p][j .. j+7]: two vectors
          (local.set $s (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $p (i32.const 0))
          (loop $steps
            (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $s)))
            (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $s)))
            (local.set $s (i32.add (local.get $s) (local.get $ld)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $k)))))
        (else                                           ;; column by column
          (local.set $c (i32.const 0))
          (loop $columns
            (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $p (i32.const 0))
            (if (i32.lt_u (i32.add (local.get $j) (local.get $c)) (local.get $n))
              (then
                (if (local.get $trans)
                  (then                                 ;; M[j+c][0 .. k-1]: side by side
                    (local.set $s (i32.add (local.get $src) (i32.mul (i32.add (local.get $j) (local.get $c)) (local.get $ld))))
                    (loop $steps
                      (f32.store (local.get $d) (f32.load (local.get $s)))
                      (local.set $s (i32.add (local.get $s) (i32.const 4)))
                      (local.set $d (i32.add (local.get $d) (i32.const 32)))
                      (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $k)))))
                  (else                                 ;; M[0 .. k-1][j+c]: $ld apart
                    (local.set $s (i32.add (local.get $src) (i32.shl (i32.add (local.get $j) (local.get $c)) (i32.const 2))))
                    (loop $steps
                      (f32.store (local.get $d) (f32.load (local.get $s)))
                      (local.set $s (i32.add (local.get $s) (local.get $ld)))
                      (local.set $d (i32.add (local.get $d) (i32.const 32)))
                      (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $k)))))))
              (else                                     ;; past the last column: zeros
                (loop $steps
                  (f32.store (local.get $d) (f32.const 0))
                  (local.set $d (i32.add (local.get $d) (i32.const 32)))
                  (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $k))))))
            (br_if $columns (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const 8))))
          (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 5))))))
      (br_if $panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $n)))))

  ;; One A panel for $kernel4x8: [kc][4] at $dst, A[r][p] = M[r][p] (trans 0) or M[p][r] (trans 1)
  ;; for rows r < $rows of a matrix M with rows $ld bytes apart at $src; zeros for rows r >= $rows.
  (func $packA4 (param $dst i32) (param $src i32) (param $ld i32) (param $rows i32) (param $kc i32) (param $trans i32)
    (local $p i32) (local $r i32) (local $s i32) (local $d i32)
    (if (i32.and (local.get $trans) (i32.eq (local.get $rows) (i32.const 4)))
      (then                                             ;; M[p][0 .. 3]: one vector per step
        (loop $steps
          (v128.store (local.get $dst) (v128.load (local.get $src)))
          (local.set $src (i32.add (local.get $src) (local.get $ld)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc))))
        (return)))
    (loop $each_row
      (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))))
      (local.set $p (i32.const 0))
      (if (i32.lt_u (local.get $r) (local.get $rows))
        (then
          (if (local.get $trans)
            (then
              (local.set $s (i32.add (local.get $src) (i32.shl (local.get $r) (i32.const 2))))
              (loop $steps
                (f32.store (local.get $d) (f32.load (local.get $s)))
                (local.set $s (i32.add (local.get $s) (local.get $ld)))
                (local.set $d (i32.add (local.get $d) (i32.const 16)))
                (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc)))))
            (else
              (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $ld))))
              (loop $steps
                (f32.store (local.get $d) (f32.load (local.get $s)))
                (local.set $s (i32.add (local.get $s) (i32.const 4)))
                (local.set $d (i32.add (local.get $d) (i32.const 16)))
                (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc)))))))
        (else
          (loop $steps
            (f32.store (local.get $d) (f32.const 0))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br_if $steps (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc))))))
      (br_if $each_row (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4)))))

  ;; Rows r < $rows of a tile (rows $ldt floats apart) to M[r][0 .. n-1] (rows $ld bytes apart).
  (func $storeTile (param $tile i32) (param $ldt i32) (param $dst i32) (param $ld i32) (param $rows i32) (param $n i32)
    (local $r i32) (local $c i32) (local $s i32) (local $d i32)
    (loop $each_row
      (local.set $s (i32.add (local.get $tile) (i32.shl (i32.mul (local.get $r) (local.get $ldt)) (i32.const 2))))
      (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $ld))))
      (local.set $c (i32.const 0))
      (block $vectors_done
        (loop $vectors
          (br_if $vectors_done (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $n)))
          (v128.store (i32.add (local.get $d) (i32.shl (local.get $c) (i32.const 2)))
            (v128.load (i32.add (local.get $s) (i32.shl (local.get $c) (i32.const 2)))))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $vectors)))
      (block $tail_done
        (loop $tail
          (br_if $tail_done (i32.ge_u (local.get $c) (local.get $n)))
          (f32.store (i32.add (local.get $d) (i32.shl (local.get $c) (i32.const 2)))
            (f32.load (i32.add (local.get $s) (i32.shl (local.get $c) (i32.const 2)))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $tail)))
      (br_if $each_row (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))

  ;; The causal softmax of rows i = i0 .. i0 + rows - 1: scores S (row r at $S + r $ldS floats, its
  ;; columns j <= i used), probabilities to P (row i at $P + i T floats, all T columns written).
  ;; kernels/softmax.ts's scaledMaskedSoftmaxRows for a causal mask, operation for operation:
  ;;   x_j = f32(S_j scale);  m = max x_j;  e_j = exp32(x_j - m) (0 below -104), stored as float32,
  ;;   s = sum e_j (float64);  P_j = f32(f32(e_j) (1 / s)), or the whole row times 1 / s when that
  ;;   is not finite (NaN scores: then the row is NaN).  exp32 is pointwise.ts's, with the constants at $cst.
  (func $softmaxRows (param $S i32) (param $ldS i32) (param $P i32) (param $T i32) (param $i0 i32) (param $rows i32)
                     (param $scale f64) (param $cst i32)
    (local $r i32) (local $i i32) (local $j i32) (local $cnt i32) (local $srow i32) (local $prow i32) (local $tab i32)
    (local $m f64) (local $d f64) (local $e f64) (local $s f64) (local $n f64) (local $rr f64) (local $inv f64)
    (local $K f64) (local $L f64) (local $R f64) (local $Z f64) (local $sixth f64)
    (local.set $K (f64.load offset=32 (local.get $cst)))
    (local.set $L (f64.load offset=40 (local.get $cst)))
    (local.set $R (f64.load offset=48 (local.get $cst)))
    (local.set $Z (f64.load offset=56 (local.get $cst)))
    (local.set $sixth (f64.load offset=64 (local.get $cst)))
    (local.set $tab (i32.add (local.get $cst) (i32.const 128)))
    (loop $each_row
      (local.set $i (i32.add (local.get $i0) (local.get $r)))
      (local.set $srow (i32.add (local.get $S) (i32.shl (i32.mul (local.get $r) (local.get $ldS)) (i32.const 2))))
      (local.set $prow (i32.add (local.get $P) (i32.shl (i32.mul (local.get $i) (local.get $T)) (i32.const 2))))
      (local.set $m (f64.const -inf))
      (local.set $j (i32.const 0))
      (loop $max
        (local.set $m (f64.max (local.get $m) (f64.promote_f32 (f32.demote_f64 (f64.mul
          (f64.promote_f32 (f32.load (i32.add (local.get $srow) (i32.shl (local.get $j) (i32.const 2))))) (local.get $scale))))))
        (br_if $max (i32.le_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $i))))
      (local.set $s (f64.const 0))
      (local.set $j (i32.const 0))
      (loop $exps
        (local.set $d (f64.sub (f64.promote_f32 (f32.demote_f64 (f64.mul
          (f64.promote_f32 (f32.load (i32.add (local.get $srow) (i32.shl (local.get $j) (i32.const 2))))) (local.get $scale))))
          (local.get $m)))
        (local.set $e (f64.const 0))
        (if (f64.ge (local.get $d) (f64.const -104))
          (then
            (local.set $n (f64.sub (f64.add (f64.mul (local.get $d) (local.get $K)) (local.get $R)) (local.get $R)))
            (local.set $rr (f64.sub (local.get $d) (f64.mul (local.get $n) (local.get $L))))
            (local.set $e (f64.mul
              (f64.add (f64.add (f64.const 1) (local.get $rr))
                       (f64.mul (f64.mul (local.get $rr) (local.get $rr))
                                (f64.add (f64.const 0.5) (f64.mul (local.get $rr) (local.get $sixth)))))
              (f64.load (i32.add (local.get $tab)
                (i32.shl (i32.trunc_f64_s (f64.add (local.get $n) (local.get $Z))) (i32.const 3))))))))
        (f32.store (i32.add (local.get $prow) (i32.shl (local.get $j) (i32.const 2))) (f32.demote_f64 (local.get $e)))
        (local.set $s (f64.add (local.get $s) (local.get $e)))
        (br_if $exps (i32.le_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $i))))
      (block $zeros_done                                ;; the masked future: probability 0
        (loop $zeros
          (br_if $zeros_done (i32.ge_u (local.get $j) (local.get $T)))
          (f32.store (i32.add (local.get $prow) (i32.shl (local.get $j) (i32.const 2))) (f32.const 0))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $zeros)))
      (local.set $inv (f64.div (f64.const 1) (local.get $s)))
      ;; scale the kept columns; if 1 / s is not finite (NaN scores), every column, as softmax.ts does
      (local.set $cnt (select (i32.add (local.get $i) (i32.const 1)) (local.get $T) (f64.lt (local.get $inv) (f64.const inf))))
      (local.set $j (i32.const 0))
      (loop $norm
        (f32.store (i32.add (local.get $prow) (i32.shl (local.get $j) (i32.const 2)))
          (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $prow) (i32.shl (local.get $j) (i32.const 2)))))
                                   (local.get $inv))))
        (br_if $norm (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $cnt))))
      (br_if $each_row (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))

  ;; The backward of $softmaxRows for rows i = i0 .. i0 + rows - 1: upstream gradient G (row r at
  ;; $G + r $ldG floats), probabilities P (row i at $P + i T), score gradient to D (row i at $D + i T,
  ;; all T columns written). kernels/softmax.ts's scaledMaskedSoftmaxRowsBackward into fresh zeros:
  ;;   dot = sum_j G_j P_j (float64),  D_j = f32(0 + f32(P_j (G_j - dot)) scale) for j <= i, else 0.
  (func $softmaxBackwardRows (param $G i32) (param $ldG i32) (param $P i32) (param $D i32) (param $T i32)
                             (param $i0 i32) (param $rows i32) (param $scale f64)
    (local $r i32) (local $i i32) (local $j i32) (local $grow i32) (local $prow i32) (local $drow i32) (local $dot f64)
    (loop $each_row
      (local.set $i (i32.add (local.get $i0) (local.get $r)))
      (local.set $grow (i32.add (local.get $G) (i32.shl (i32.mul (local.get $r) (local.get $ldG)) (i32.const 2))))
      (local.set $prow (i32.add (local.get $P) (i32.shl (i32.mul (local.get $i) (local.get $T)) (i32.const 2))))
      (local.set $drow (i32.add (local.get $D) (i32.shl (i32.mul (local.get $i) (local.get $T)) (i32.const 2))))
      (local.set $dot (f64.const 0))
      (local.set $j (i32.const 0))
      (loop $dots
        (local.set $dot (f64.add (local.get $dot) (f64.mul
          (f64.promote_f32 (f32.load (i32.add (local.get $grow) (i32.shl (local.get $j) (i32.const 2)))))
          (f64.promote_f32 (f32.load (i32.add (local.get $prow) (i32.shl (local.get $j) (i32.const 2))))))))
        (br_if $dots (i32.le_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $i))))
      (local.set $j (i32.const 0))
      (loop $grads
        (f32.store (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 2)))
          (f32.demote_f64 (f64.add (f64.const 0) (f64.mul (local.get $scale) (f64.promote_f32 (f32.demote_f64 (f64.mul
            (f64.promote_f32 (f32.load (i32.add (local.get $prow) (i32.shl (local.get $j) (i32.const 2)))))
            (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $grow) (i32.shl (local.get $j) (i32.const 2)))))
                     (local.get $dot)))))))))
        (br_if $grads (i32.le_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $i))))
      (block $zeros_done
        (loop $zeros
          (br_if $zeros_done (i32.ge_u (local.get $j) (local.get $T)))
          (f32.store (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 2))) (f32.const 0))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $zeros)))
      (br_if $each_row (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))

  ;; One (batch, head) of an attention job, forward ($backward 0) or backward ($backward 1), on thread $t.
  ;; Scratch of a thread (bytes; T8, HS8: T, HS rounded up to 8):
  ;;   4 sets of B panels (T8 HS 4 bytes for the one whose columns are the T positions, HS8 T 4 for
  ;;   each of the other three), one A panel (16 max(T, HS)), 4 rows of scores (16 T8), a 4 x HS8 tile (16 HS8) and, for
  ;;   the backward, the T x T score gradient (4 T T). wasm.ts computes the same size.
  (func $attentionTask (param $t i32) (param $q i32) (param $backward i32)
    (local $T i32) (local $hs i32) (local $nh i32) (local $ld i32) (local $T8 i32) (local $hs8 i32)
    (local $off i32) (local $Qb i32) (local $Kb i32) (local $Vb i32) (local $Yb i32) (local $Pb i32)
    (local $dQb i32) (local $dKb i32) (local $dVb i32)
    (local $P1 i32) (local $P2 i32) (local $P3 i32) (local $P4 i32) (local $A i32) (local $S i32) (local $tile i32) (local $dS i32)
    (local $i0 i32) (local $rows i32) (local $end i32) (local $j i32) (local $kc i32)
    (local $scale f64) (local $cst i32)
    (local.set $T (i32.load offset=28 (i32.const 0)))
    (local.set $hs (i32.load offset=32 (i32.const 0)))
    (local.set $nh (i32.load offset=36 (i32.const 0)))
    (local.set $scale (f64.load offset=120 (i32.const 0)))
    (local.set $cst (i32.load offset=112 (i32.const 0)))
    (local.set $ld (i32.shl (i32.mul (local.get $nh) (local.get $hs)) (i32.const 2)))  ;; bytes per row (C floats)
    (local.set $T8 (i32.and (i32.add (local.get $T) (i32.const 7)) (i32.const -8)))
    (local.set $hs8 (i32.and (i32.add (local.get $hs) (i32.const 7)) (i32.const -8)))
    ;; head h of batch b: row 0 at b T C + h HS floats
    (local.set $off (i32.shl (i32.add
      (i32.mul (i32.div_u (local.get $q) (local.get $nh)) (i32.mul (local.get $T) (i32.mul (local.get $nh) (local.get $hs))))
      (i32.mul (i32.rem_u (local.get $q) (local.get $nh)) (local.get $hs))) (i32.const 2)))
    (local.set $Qb (i32.add (i32.load offset=80 (i32.const 0)) (local.get $off)))
    (local.set $Kb (i32.add (i32.load offset=84 (i32.const 0)) (local.get $off)))
    (local.set $Vb (i32.add (i32.load offset=88 (i32.const 0)) (local.get $off)))
    (local.set $Yb (i32.add (i32.load offset=92 (i32.const 0)) (local.get $off)))
    (local.set $dQb (i32.add (i32.load offset=100 (i32.const 0)) (local.get $off)))
    (local.set $dKb (i32.add (i32.load offset=104 (i32.const 0)) (local.get $off)))
    (local.set $dVb (i32.add (i32.load offset=108 (i32.const 0)) (local.get $off)))
    (local.set $Pb (i32.add (i32.load offset=96 (i32.const 0))
      (i32.shl (i32.mul (local.get $q) (i32.mul (local.get $T) (local.get $T))) (i32.const 2))))
    (local.set $P1 (i32.add (i32.load offset=48 (i32.const 0)) (i32.mul (local.get $t) (i32.load offset=52 (i32.const 0)))))
    (local.set $P2 (i32.add (local.get $P1) (i32.shl (i32.mul (local.get $T8) (local.get $hs)) (i32.const 2))))
    (local.set $P3 (i32.add (local.get $P2) (i32.shl (i32.mul (local.get $hs8) (local.get $T)) (i32.const 2))))
    (local.set $P4 (i32.add (local.get $P3) (i32.shl (i32.mul (local.get $hs8) (local.get $T)) (i32.const 2))))
    (local.set $A (i32.add (local.get $P4) (i32.shl (i32.mul (local.get $hs8) (local.get $T)) (i32.const 2))))
    (local.set $S (i32.add (local.get $A) (i32.shl
      (select (local.get $T) (local.get $hs) (i32.gt_u (local.get $T) (local.get $hs))) (i32.const 4))))
    (local.set $tile (i32.add (local.get $S) (i32.shl (local.get $T8) (i32.const 4))))
    (local.set $dS (i32.add (local.get $tile) (i32.shl (local.get $hs8) (i32.const 4))))

    (if (i32.eqz (local.get $backward))
      (then
        ;; scores = Q K^T (B: K^T), then y = P V (B: V)
        (call $packPanels (local.get $P1) (local.get $Kb) (local.get $ld) (local.get $hs) (local.get $T) (i32.const 1))
        (call $packPanels (local.get $P2) (local.get $Vb) (local.get $ld) (local.get $T) (local.get $hs) (i32.const 0))
        (loop $blocks                                   ;; query rows i0 .. i0 + 3
          (local.set $rows (i32.sub (local.get $T) (local.get $i0)))
          (if (i32.gt_u (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
          (local.set $end (i32.add (local.get $i0) (local.get $rows)))   ;; keys 0 .. end - 1 are seen
          (call $packA4 (local.get $A) (i32.add (local.get $Qb) (i32.mul (local.get $i0) (local.get $ld)))
            (local.get $ld) (local.get $rows) (local.get $hs) (i32.const 0))
          (local.set $j (i32.const 0))
          (loop $score_panels
            (call $kernel4x8 (local.get $A) (i32.add (local.get $P1) (i32.shl (i32.mul (local.get $j) (local.get $hs)) (i32.const 2)))
              (i32.add (local.get $S) (i32.shl (local.get $j) (i32.const 2))) (i32.shl (local.get $T8) (i32.const 2))
              (local.get $hs) (i32.const 0))
            (br_if $score_panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $end))))
          (call $softmaxRows (local.get $S) (local.get $T8) (local.get $Pb) (local.get $T) (local.get $i0) (local.get $rows)
            (local.get $scale) (local.get $cst))
          ;; y rows = P rows @ V, over the keys 0 .. end - 1 only (the rest of P is 0)
          (call $packA4 (local.get $A) (i32.add (local.get $Pb) (i32.shl (i32.mul (local.get $i0) (local.get $T)) (i32.const 2)))
            (i32.shl (local.get $T) (i32.const 2)) (local.get $rows) (local.get $end) (i32.const 0))
          (local.set $j (i32.const 0))
          (loop $out_panels
            (call $kernel4x8 (local.get $A) (i32.add (local.get $P2) (i32.shl (i32.mul (local.get $j) (local.get $T)) (i32.const 2)))
              (i32.add (local.get $tile) (i32.shl (local.get $j) (i32.const 2))) (i32.shl (local.get $hs8) (i32.const 2))
              (local.get $end) (i32.const 0))
            (br_if $out_panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $hs))))
          (call $storeTile (local.get $tile) (local.get $hs8) (i32.add (local.get $Yb) (i32.mul (local.get $i0) (local.get $ld)))
            (local.get $ld) (local.get $rows) (local.get $hs))
          (br_if $blocks (i32.lt_u (local.tee $i0 (i32.add (local.get $i0) (i32.const 4))) (local.get $T))))
        (return)))

    ;; Backward, with G = dY:  dP = G V^T,  dS = softmax backward,  dQ = dS K,  dK = dS^T Q,  dV = P^T G
    (call $packPanels (local.get $P1) (local.get $Vb) (local.get $ld) (local.get $hs) (local.get $T) (i32.const 1))
    (call $packPanels (local.get $P2) (local.get $Kb) (local.get $ld) (local.get $T) (local.get $hs) (i32.const 0))
    (call $packPanels (local.get $P3) (local.get $Qb) (local.get $ld) (local.get $T) (local.get $hs) (i32.const 0))
    (call $packPanels (local.get $P4) (local.get $Yb) (local.get $ld) (local.get $T) (local.get $hs) (i32.const 0))
    (loop $blocks                                       ;; query rows i0 .. i0 + 3: dP, dS, dQ
      (local.set $rows (i32.sub (local.get $T) (local.get $i0)))
      (if (i32.gt_u (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
      (local.set $end (i32.add (local.get $i0) (local.get $rows)))
      (call $packA4 (local.get $A) (i32.add (local.get $Yb) (i32.mul (local.get $i0) (local.get $ld)))
        (local.get $ld) (local.get $rows) (local.get $hs) (i32.const 0))
      (local.set $j (i32.const 0))
      (loop $dp_panels
        (call $kernel4x8 (local.get $A) (i32.add (local.get $P1) (i32.shl (i32.mul (local.get $j) (local.get $hs)) (i32.const 2)))
          (i32.add (local.get $S) (i32.shl (local.get $j) (i32.const 2))) (i32.shl (local.get $T8) (i32.const 2))
          (local.get $hs) (i32.const 0))
        (br_if $dp_panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $end))))
      (call $softmaxBackwardRows (local.get $S) (local.get $T8) (local.get $Pb) (local.get $dS) (local.get $T)
        (local.get $i0) (local.get $rows) (local.get $scale))
      (call $packA4 (local.get $A) (i32.add (local.get $dS) (i32.shl (i32.mul (local.get $i0) (local.get $T)) (i32.const 2)))
        (i32.shl (local.get $T) (i32.const 2)) (local.get $rows) (local.get $end) (i32.const 0))
      (local.set $j (i32.const 0))
      (loop $dq_panels
        (call $kernel4x8 (local.get $A) (i32.add (local.get $P2) (i32.shl (i32.mul (local.get $j) (local.get $T)) (i32.const 2)))
          (i32.add (local.get $tile) (i32.shl (local.get $j) (i32.const 2))) (i32.shl (local.get $hs8) (i32.const 2))
          (local.get $end) (i32.const 0))
        (br_if $dq_panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $hs))))
      (call $storeTile (local.get $tile) (local.get $hs8) (i32.add (local.get $dQb) (i32.mul (local.get $i0) (local.get $ld)))
        (local.get $ld) (local.get $rows) (local.get $hs))
      (br_if $blocks (i32.lt_u (local.tee $i0 (i32.add (local.get $i0) (i32.const 4))) (local.get $T))))
    (local.set $i0 (i32.const 0))
    (loop $key_blocks                                   ;; key rows i0 .. i0 + 3: dK and dV, over queries i >= i0
      (local.set $rows (i32.sub (local.get $T) (local.get $i0)))
      (if (i32.gt_u (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
      (local.set $kc (i32.sub (local.get $T) (local.get $i0)))
      (call $packA4 (local.get $A) (i32.add (local.get $dS) (i32.shl (i32.mul (local.get $i0) (i32.add (local.get $T) (i32.const 1))) (i32.const 2)))
        (i32.shl (local.get $T) (i32.const 2)) (local.get $rows) (local.get $kc) (i32.const 1))
      (local.set $j (i32.const 0))
      (loop $dk_panels
        (call $kernel4x8 (local.get $A)
          (i32.add (local.get $P3) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $T)) (i32.shl (local.get $i0) (i32.const 3))) (i32.const 2)))
          (i32.add (local.get $tile) (i32.shl (local.get $j) (i32.const 2))) (i32.shl (local.get $hs8) (i32.const 2))
          (local.get $kc) (i32.const 0))
        (br_if $dk_panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $hs))))
      (call $storeTile (local.get $tile) (local.get $hs8) (i32.add (local.get $dKb) (i32.mul (local.get $i0) (local.get $ld)))
        (local.get $ld) (local.get $rows) (local.get $hs))
      (call $packA4 (local.get $A) (i32.add (local.get $Pb) (i32.shl (i32.mul (local.get $i0) (i32.add (local.get $T) (i32.const 1))) (i32.const 2)))
        (i32.shl (local.get $T) (i32.const 2)) (local.get $rows) (local.get $kc) (i32.const 1))
      (local.set $j (i32.const 0))
      (loop $dv_panels
        (call $kernel4x8 (local.get $A)
          (i32.add (local.get $P4) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $T)) (i32.shl (local.get $i0) (i32.const 3))) (i32.const 2)))
          (i32.add (local.get $tile) (i32.shl (local.get $j) (i32.const 2))) (i32.shl (local.get $hs8) (i32.const 2))
          (local.get $kc) (i32.const 0))
        (br_if $dv_panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $hs))))
      (call $storeTile (local.get $tile) (local.get $hs8) (i32.add (local.get $dVb) (i32.mul (local.get $i0) (local.get $ld)))
        (local.get $ld) (local.get $rows) (local.get $hs))
      (br_if $key_blocks (i32.lt_u (local.tee $i0 (i32.add (local.get $i0) (i32.const 4))) (local.get $T)))))

  ;; ---------------------------------------------------------------------------------------------
  ;; Do task $q on thread $t: block (q mod PER_PRODUCT) of ROWS rows of product (q / PER_PRODUCT).
  ;; ---------------------------------------------------------------------------------------------
  (func $task (param $t i32) (param $q i32)
    (local $per i32) (local $rec i32) (local $i0 i32) (local $i1 i32)
    (if (i32.load offset=24 (i32.const 0)) (then   ;; not a product: KIND 1 GELU, 2 and 3 attention
      (if (i32.eq (i32.load offset=24 (i32.const 0)) (i32.const 1))
        (then (call $geluTask (local.get $q)))
        (else (call $attentionTask (local.get $t) (local.get $q) (i32.eq (i32.load offset=24 (i32.const 0)) (i32.const 3)))))
      (return)))
    (local.set $per (i32.load offset=20 (i32.const 0)))
    (local.set $rec (i32.add (i32.load offset=16 (i32.const 0))
                             (i32.mul (i32.div_u (local.get $q) (local.get $per)) (i32.const 12))))
    (global.set $A (i32.load offset=0 (local.get $rec)))
    (global.set $B (i32.load offset=4 (local.get $rec)))
    (global.set $C (i32.load offset=8 (local.get $rec)))
    (local.set $i0 (i32.mul (i32.rem_u (local.get $q) (local.get $per)) (i32.load offset=44 (i32.const 0))))
    (local.set $i1 (i32.add (local.get $i0) (i32.load offset=44 (i32.const 0))))
    (if (i32.gt_u (local.get $i1) (i32.load offset=28 (i32.const 0)))
      (then (local.set $i1 (i32.load offset=28 (i32.const 0)))))
    (call $rows (local.get $t) (local.get $i0) (local.get $i1)))

  ;; ---------------------------------------------------------------------------------------------
  ;; A GELU job (KIND 1): task $q is elements [q ROWS, (q + 1) ROWS) of X (float32), clipped at N:
  ;;   Y = gelu(X), and when D is not 0, D = gelu'(X) as well.
  ;; Exactly the float64 arithmetic of geluForward / geluForwardWithGrad in pointwise.ts (read them
  ;; first), operation for operation and in the same order, two elements at a time (f64x2), so the
  ;; float32 results are the same bits. Its constants are those doubles, which wasm.ts writes at
  ;; CONSTANTS (f64 each): 0 C = sqrt(2/pi), 1 A = 0.044715, 2 3A, 3 -2C, 4 K = 32/ln 2, 5 L = ln 2/32,
  ;; 6 R = 1.5 * 2^52 (adding and subtracting it rounds to an integer), 7 Z = 5120, 8 1/6; from byte 128 on,
  ;; the table 2^(k/32), k = -5120 ... 4095 (EXP2_32).
  ;;   in range (-10 <= x <= 10):  z = -2C (x + A x^3), e = exp32(z) = ((1 + r) + r^2 (1/2 + r/6)) 2^(k/32)
  ;;                               with k = round(z K), r = z - k L;  y = x / (1 + e), or with D:
  ;;                               s = 1 / (1 + e), y = x s, d = s (1 + 2 x s e du), du = C (1 + 3A x^2)
  ;;   outside (and NaN):          tanh(u) is +-1 (the JavaScript takes Math.tanh, which is exactly +-1
  ;;                               there):  y = 0.5 x (1 + t),  d = 0.5 (1 + t) + 0.5 x (1 - t^2) du
  ;; ---------------------------------------------------------------------------------------------
  (func $geluTask (param $q i32)
    (local $i i32) (local $i1 i32) (local $x i32) (local $y i32) (local $d i32) (local $cst i32) (local $tab i32)
    (local $pair i32) (local $j0 i32) (local $j1 i32)
    (local $C v128) (local $A v128) (local $A3 v128) (local $m2C v128) (local $K v128) (local $L v128)
    (local $R v128) (local $Z v128) (local $sixth v128) (local $one v128) (local $half v128) (local $two v128)
    (local $lo v128) (local $hi v128) (local $sign v128)
    (local $v v128) (local $du v128) (local $z v128) (local $k v128) (local $r v128) (local $e v128)
    (local $s v128) (local $t v128) (local $in v128) (local $yv v128) (local $dv v128)
    (local.set $i (i32.mul (local.get $q) (i32.load offset=44 (i32.const 0))))
    (local.set $i1 (i32.add (local.get $i) (i32.load offset=44 (i32.const 0))))
    (if (i32.gt_u (local.get $i1) (i32.load offset=28 (i32.const 0)))
      (then (local.set $i1 (i32.load offset=28 (i32.const 0)))))
    (if (i32.ge_u (local.get $i) (local.get $i1)) (then (return)))
    (local.set $x (i32.add (i32.load offset=48 (i32.const 0)) (i32.shl (local.get $i) (i32.const 2))))
    (local.set $y (i32.add (i32.load offset=52 (i32.const 0)) (i32.shl (local.get $i) (i32.const 2))))
    (local.set $d (i32.load offset=56 (i32.const 0)))
    (if (local.get $d) (then (local.set $d (i32.add (local.get $d) (i32.shl (local.get $i) (i32.const 2))))))
    (local.set $cst (i32.load offset=60 (i32.const 0)))
    (local.set $tab (i32.add (local.get $cst) (i32.const 128)))
    (local.set $C (v128.load64_splat offset=0 (local.get $cst)))
    (local.set $A (v128.load64_splat offset=8 (local.get $cst)))
    (local.set $A3 (v128.load64_splat offset=16 (local.get $cst)))
    (local.set $m2C (v128.load64_splat offset=24 (local.get $cst)))
    (local.set $K (v128.load64_splat offset=32 (local.get $cst)))
    (local.set $L (v128.load64_splat offset=40 (local.get $cst)))
    (local.set $R (v128.load64_splat offset=48 (local.get $cst)))
    (local.set $Z (v128.load64_splat offset=56 (local.get $cst)))
    (local.set $sixth (v128.load64_splat offset=64 (local.get $cst)))
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $half (f64x2.splat (f64.const 0.5)))
    (local.set $two (f64x2.splat (f64.const 2)))
    (local.set $lo (f64x2.splat (f64.const -10)))
    (local.set $hi (f64x2.splat (f64.const 10)))
    (local.set $sign (i64x2.splat (i64.const 0x8000000000000000)))
    (loop $pairs
      ;; two elements, or the last one alone (then lane 1 computes on 0 and is not stored)
      (local.set $pair (i32.le_u (i32.add (local.get $i) (i32.const 2)) (local.get $i1)))
      (local.set $v (f64x2.promote_low_f32x4
        (if (result v128) (local.get $pair)
          (then (v128.load64_zero (local.get $x)))
          (else (v128.load32_zero (local.get $x))))))
      ;; du = C (1 + 3A x x)
      (local.set $du (f64x2.mul (local.get $C) (f64x2.add (local.get $one)
        (f64x2.mul (f64x2.mul (local.get $A3) (local.get $v)) (local.get $v)))))
      ;; z = -2C (x + A x x x);  k = (z K + R) - R;  r = z - k L
      (local.set $z (f64x2.mul (local.get $m2C) (f64x2.add (local.get $v)
        (f64x2.mul (f64x2.mul (f64x2.mul (local.get $A) (local.get $v)) (local.get $v)) (local.get $v)))))
      (local.set $k (f64x2.sub (f64x2.add (f64x2.mul (local.get $z) (local.get $K)) (local.get $R)) (local.get $R)))
      (local.set $r (f64x2.sub (local.get $z) (f64x2.mul (local.get $k) (local.get $L))))
      ;; the table entries 2^(k/32): index k + Z, clamped into the table for lanes out of range
      ;; (their e is not used)
      (local.set $t (i32x4.min_s (i32x4.max_s
        (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (local.get $k) (local.get $Z))) (i32x4.splat (i32.const 0)))
        (i32x4.splat (i32.const 9215))))
      (local.set $j0 (i32x4.extract_lane 0 (local.get $t)))
      (local.set $j1 (i32x4.extract_lane 1 (local.get $t)))
      (local.set $t (f64x2.replace_lane 1
        (f64x2.splat (f64.load (i32.add (local.get $tab) (i32.shl (local.get $j0) (i32.const 3)))))
        (f64.load (i32.add (local.get $tab) (i32.shl (local.get $j1) (i32.const 3))))))
      ;; e = ((1 + r) + r r (1/2 + r (1/6))) 2^(k/32)
      (local.set $e (f64x2.mul
        (f64x2.add (f64x2.add (local.get $one) (local.get $r))
          (f64x2.mul (f64x2.mul (local.get $r) (local.get $r))
            (f64x2.add (local.get $half) (f64x2.mul (local.get $r) (local.get $sixth)))))
        (local.get $t)))
      (local.set $in (v128.and (f64x2.ge (local.get $v) (local.get $lo)) (f64x2.le (local.get $v) (local.get $hi))))
      ;; outside the range: t = +-1 with the sign of x
      (local.set $t (v128.or (v128.and (local.get $v) (local.get $sign)) (local.get $one)))
      (local.set $yv (f64x2.mul (f64x2.mul (local.get $half) (local.get $v)) (f64x2.add (local.get $one) (local.get $t))))
      (if (local.get $d)
        (then
          (local.set $s (f64x2.div (local.get $one) (f64x2.add (local.get $one) (local.get $e))))
          (local.set $yv (v128.bitselect (f64x2.mul (local.get $v) (local.get $s)) (local.get $yv) (local.get $in)))
          ;; inside: s (1 + 2 x s e du);  outside: 0.5 (1 + t) + 0.5 x (1 - t t) du
          (local.set $dv (v128.bitselect
            (f64x2.mul (local.get $s) (f64x2.add (local.get $one)
              (f64x2.mul (f64x2.mul (f64x2.mul (f64x2.mul (local.get $two) (local.get $v)) (local.get $s)) (local.get $e)) (local.get $du))))
            (f64x2.add (f64x2.mul (local.get $half) (f64x2.add (local.get $one) (local.get $t)))
              (f64x2.mul (f64x2.mul (f64x2.mul (local.get $half) (local.get $v))
                (f64x2.sub (local.get $one) (f64x2.mul (local.get $t) (local.get $t)))) (local.get $du)))
            (local.get $in)))
          (local.set $dv (f32x4.demote_f64x2_zero (local.get $dv)))
          (if (local.get $pair)
            (then (v128.store64_lane 0 (local.get $d) (local.get $dv)))
            (else (v128.store32_lane 0 (local.get $d) (local.get $dv))))
          (local.set $d (i32.add (local.get $d) (i32.const 8))))
        (else
          (local.set $yv (v128.bitselect (f64x2.div (local.get $v) (f64x2.add (local.get $one) (local.get $e)))
            (local.get $yv) (local.get $in)))))
      (local.set $yv (f32x4.demote_f64x2_zero (local.get $yv)))
      (if (local.get $pair)
        (then (v128.store64_lane 0 (local.get $y) (local.get $yv)))
        (else (v128.store32_lane 0 (local.get $y) (local.get $yv))))
      (local.set $x (i32.add (local.get $x) (i32.const 8)))
      (local.set $y (i32.add (local.get $y) (i32.const 8)))
      (br_if $pairs (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 2))) (local.get $i1)))))

  ;; ---------------------------------------------------------------------------------------------
  ;; Do tasks [$q0, $q1) in order on thread $t (one thread alone: the products are done in order,
  ;; which matters when several of them add into the same C).
  ;; ---------------------------------------------------------------------------------------------
  (func (export "tasks") (param $t i32) (param $q0 i32) (param $q1 i32)
    (block $done
      (br_if $done (i32.ge_u (local.get $q0) (local.get $q1)))
      (loop $each
        (call $task (local.get $t) (local.get $q0))
        (br_if $each (i32.lt_u (local.tee $q0 (i32.add (local.get $q0) (i32.const 1))) (local.get $q1))))))

  ;; ---------------------------------------------------------------------------------------------
  ;; For linear layers, while the numbers are in this memory: for each of $rows rows r,
  ;;   dst_r[j] += src_r[j] for j < $n,   dst_r at $dst + r * $dstStride, src_r at $src + r * $srcStride
  ;; With $srcStride 0 that adds one vector (a bias) to every row of C; with $dstStride 0 it adds up
  ;; the rows of A into one vector (the bias's gradient). Four lanes at a time, but each lane does
  ;; exactly the float32 additions of the plain loop, in the same order, so the sums are the same.
  ;; ---------------------------------------------------------------------------------------------
  (func (export "addRows") (param $dst i32) (param $src i32) (param $rows i32) (param $n i32)
                           (param $dstStride i32) (param $srcStride i32)
    (local $r i32) (local $j i32) (local $n4 i32) (local $d i32) (local $s i32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $n))))
      (loop $each_row
        (local.set $d (local.get $dst))
        (local.set $s (local.get $src))
        (local.set $j (i32.const 0))
        (block $vectors_done
          (br_if $vectors_done (i32.eqz (local.get $n4)))
          (loop $vectors
            (v128.store (local.get $d) (f32x4.add (v128.load (local.get $d)) (v128.load (local.get $s))))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (br_if $vectors (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $n4)))))
        (block $tail_done
          (br_if $tail_done (i32.ge_u (local.get $j) (local.get $n)))
          (loop $tail
            (f32.store (local.get $d) (f32.add (f32.load (local.get $d)) (f32.load (local.get $s))))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $s (i32.add (local.get $s) (i32.const 4)))
            (br_if $tail (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $n)))))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
        (br_if $each_row (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))))

    ;; ---------------------------------------------------------------------------------------------
  ;; Claim tasks until none are left; returns how many this thread did.
  ;; Called by every thread taking part in a job, the caller's included.
  ;; ---------------------------------------------------------------------------------------------
  (func (export "work") (param $t i32) (result i32)
    (local $q i32) (local $done i32)
    (block $finished
      (loop $claim
        ;; NEXT is read and bumped in one atomic step, so no two threads get the same task.
        (local.set $q (i32.atomic.rmw.add offset=4 (i32.const 0) (i32.const 1)))
        ;; The job's words are read only after a successful claim: they are complete by then.
        (br_if $finished (i32.ge_u (local.get $q) (i32.load offset=12 (i32.const 0))))
        (call $task (local.get $t) (local.get $q))
        (local.set $done (i32.add (local.get $done) (i32.const 1)))
        ;; count it as done and wake a thread waiting for DONE
        (drop (i32.atomic.rmw.add offset=8 (i32.const 0) (i32.const 1)))
        (drop (memory.atomic.notify offset=8 (i32.const 0) (i32.const 1)))
        (br $claim)))
    (local.get $done))
)

// CShims: the C side of ernie's engine.
//  - oneDNN's C API (GEMM and matmul primitives), re-exported for Swift.
//  - One OpenMP thread pool for everything: oneDNN runs its kernels on libgomp's threads, and Swift's parallel
//    loops run on the same threads through ernie_parallel_for, so the two never fight over the 2 cores.
#ifndef ERNIE_CSHIMS_H
#define ERNIE_CSHIMS_H

#include <dnnl.h>
#include <stdint.h>

/// A chunk of a parallel loop: handle indices [begin, end) of the range.
typedef void (*ernie_range_fn)(void *context, int64_t begin, int64_t end);

/// Splits [0, count) into one contiguous chunk per thread of the OpenMP pool (at most count / grain chunks)
/// and calls body on each; returns when all chunks are done. Runs inline when one chunk suffices.
void ernie_parallel_for(int64_t count, int64_t grain, ernie_range_fn body, void *context);

/// Sets the thread budget of the shared pool (oneDNN and ernie_parallel_for alike).
void ernie_set_num_threads(int threads);

/// The thread budget of the shared pool.
int ernie_get_num_threads(void);

/// Cores this process may run on (its CPU affinity set: taskset, or mpirun's per-rank binding).
int ernie_available_cores(void);

#endif

#ifndef ERNIE_CSHIMS_MATMUL_H
#define ERNIE_CSHIMS_MATMUL_H
/// Row-major C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C with A and B in bfloat16 (raw uint16 bits) and C in
/// float32, through a cached oneDNN matmul primitive (AMX on CPUs that have it). op(X) = Xᵀ when trans is 'T'.
/// lda/ldb/ldc are row strides of the stored matrices. Returns a dnnl_status_t (0 = success).
int ernie_gemm_bf16(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                    const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb,
                    float beta, float *c, int64_t ldc);
/// The same with beta 0 and alpha 1 plus a float32 bias [n] added to every row by the kernel (no pass over C before).
int ernie_gemm_bf16_bias(char transa, char transb, int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                         const uint16_t *b, int64_t ldb, const float *bias, float *c, int64_t ldc);

/// A bf16 matrix B (op(B) is k x n) reordered once into the blocked layout of oneDNN's AMX matmul for products with
/// m rows: the plain-layout GEMM repacks B in every call. NULL on failure (status: the dnnl_status_t).
typedef struct ernie_packed_bf16 ernie_packed_bf16;
ernie_packed_bf16 *ernie_pack_bf16(char transb, int64_t m, int64_t n, int64_t k, const uint16_t *b, int64_t ldb,
                                   int *status);
/// Row-major C[m,n] = A[m,k] · B with A bf16 (lda = k), C float32 (ldc = n) overwritten. Returns a dnnl_status_t.
int ernie_gemm_bf16_packed(const uint16_t *a, const ernie_packed_bf16 *b, float *c);
void ernie_packed_bf16_free(ernie_packed_bf16 *p);

/// 1 when oneDNN has bf16 matmul kernels on this CPU (AVX512 and up), 0 when the bf16 products run as float32 ones on
/// operands widened exactly to float32 (AVX2 CPUs): the same values, summed in another order, slower.
int ernie_bf16_matmul_native(void);

/// The oneDNN implementation the bf16 GEMM of that shape runs (e.g. "brg:avx512_core_amx_bf16"), for reports.
const char *ernie_gemm_bf16_impl(int64_t m, int64_t n, int64_t k);

/// 1 when oneDNN's u8 × s8 kernels are exact on this CPU (VNNI, AMX), 0 where they saturate pairs of products to int16
/// (AVX2), so the int8 GEMMs here run each product as two saturation-free halves (exact, twice the work).
int ernie_int8_matmul_exact(void);

/// The oneDNN implementation the u8 × s8 GEMM of that shape runs (e.g. "brg:avx512_core_vnni"), for reports.
const char *ernie_gemm_u8s8s32_impl(int64_t m, int64_t n, int64_t k);

/// An int8 Linear weight B [n, k] (row-major) reordered once into oneDNN's blocked int8 layout, for products with any
/// number of rows. `b` must outlive the handle (products fall back to it if a kernel wants another layout). NULL on
/// failure (status: the dnnl_status_t).
typedef struct ernie_packed_weights ernie_packed_s8;
ernie_packed_s8 *ernie_pack_s8(int64_t n, int64_t k, const int8_t *b, int *status);
/// Row-major C[m,n] = A[m,k] · Bᵀ with A uint8 (lda = k), C int32 (ldc = n) overwritten, exactly (see
/// `ernie_int8_matmul_exact`). Returns a dnnl_status_t.
int ernie_gemm_u8s8s32_packed(int64_t m, const uint8_t *a, const ernie_packed_s8 *b, int32_t *c);
void ernie_packed_s8_free(ernie_packed_s8 *p);

/// A bf16 Linear weight B [n, k] (row-major) reordered once into oneDNN's blocked bf16 layout, for products with any
/// number of rows. `b` must outlive the handle (products fall back to it if a kernel wants another layout). NULL on
/// failure (status: the dnnl_status_t).
typedef struct ernie_packed_weights ernie_packed_bf16_weights;
ernie_packed_bf16_weights *ernie_pack_bf16_weights(int64_t n, int64_t k, const uint16_t *b, int *status);
/// Row-major C[m,n] = A[m,k] · Bᵀ (+ bias [n], float32, NULL for none) + beta · C with A bf16 (lda = k), C float32
/// (ldc = n). Returns a dnnl_status_t.
int ernie_gemm_bf16_packed_weights(int64_t m, const uint16_t *a, const ernie_packed_bf16_weights *b, const float *bias,
                                   float beta, float *c);
void ernie_packed_bf16_weights_free(ernie_packed_bf16_weights *p);

/// A float32 Linear weight B [n, k] (row-major) reordered once into oneDNN's blocked layout for its matmul primitive
/// (brgemm), which beats `dnnl_sgemm` on inference's few rows: the same contract as `ernie_pack_bf16_weights`.
typedef struct ernie_packed_weights ernie_packed_f32_weights;
ernie_packed_f32_weights *ernie_pack_f32_weights(int64_t n, int64_t k, const float *b, int *status);
/// Row-major C[m,n] = A[m,k] · Bᵀ (+ bias [n], NULL for none) + beta · C, all float32 (lda = k, ldc = n). Returns a
/// dnnl_status_t.
int ernie_gemm_f32_packed_weights(int64_t m, const float *a, const ernie_packed_f32_weights *b, const float *bias,
                                  float beta, float *c);
void ernie_packed_f32_weights_free(ernie_packed_f32_weights *p);
#endif

#ifndef ERNIE_CSHIMS_CONVERT_H
#define ERNIE_CSHIMS_CONVERT_H
/// Rounds count floats to bfloat16 (round to nearest even; NaN stays NaN), with AVX512-BF16's vcvtneps2bf16 when the
/// CPU has it, else 8 lanes at a time in AVX2. Single-threaded: callers split large arrays.
void ernie_f32_to_bf16(const float *source, uint16_t *destination, int64_t count);
/// Widens `count` bfloat16 values to float32 (exact).
void ernie_bf16_to_f32(const uint16_t *source, float *destination, int64_t count);
#endif

#ifndef ERNIE_CSHIMS_DROPOUT_H
#define ERNIE_CSHIMS_DROPOUT_H
/// out = addend + input · keep / (1 − p) for count elements (addend NULL: nothing added; addend == out accumulates):
/// element i is kept when the top 24 bits of ernie's SplitMix64 output (seed, counter + i) are ≥ threshold
/// (⌈p · 2²⁴⌉). out may be input or addend. Single-threaded: callers split large arrays.
void ernie_dropout(float *out, const float *input, const float *addend, int64_t count, uint64_t threshold, float scale,
                   uint64_t seed, uint64_t counter);
#endif

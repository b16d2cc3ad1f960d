// bf16, int8 and packed float32 GEMMs through oneDNN's matmul primitive. oneDNN 2.6's C API has no bf16 gemm
// function (and its int8 gemm takes no runtime-packed weights), so primitives are created once per (types, shape,
// layout, alpha, beta) and cached: creating one costs far more than running a BERT-sized GEMM.
#include "CShims.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t m, n, k, lda, ldb, ldc;
    char transa, transb;
    float alpha, beta;
    dnnl_data_type_t a_type, b_type, c_type;
    int has_bias;  // a float32 bias [n] added by the kernel
    dnnl_primitive_t primitive;
    dnnl_memory_desc_t a_md, b_md, c_md, bias_md, scratch_md;
} matmul_entry;

#define CACHE_CAPACITY 256
static matmul_entry cache[CACHE_CAPACITY];
static int cache_count = 0;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t engine = NULL;

static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static void create_engine(void) { dnnl_engine_create(&engine, dnnl_cpu, 0); }

// One engine for the process, made once even when the first GEMMs start on several threads at a time.
static dnnl_engine_t cpu_engine(void) {
    pthread_once(&engine_once, create_engine);
    return engine;
}

static void matrix_md(dnnl_memory_desc_t *md, int64_t rows, int64_t cols, int64_t ld, char trans, dnnl_data_type_t type) {
    // op(X) is rows x cols; stored X is op(X)ᵀ when trans, so its strides swap.
    dnnl_dims_t dims = {rows, cols};
    dnnl_dims_t strides = {ld, 1};
    if (trans == 'T' || trans == 't') {
        strides[0] = 1;
        strides[1] = ld;
    }
    dnnl_memory_desc_init_by_strides(md, 2, dims, type, strides);
}

// The primitive for these types and shape, made on first use. `packed_b` (or NULL) is a blocked weights layout that
// replaces the plain one B's trans/ldb describe; such entries are keyed by transb 'P' and the layout itself.
static matmul_entry *lookup(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, int64_t lda,
                            int64_t ldb, float beta, int64_t ldc, dnnl_data_type_t a_type, dnnl_data_type_t b_type,
                            dnnl_data_type_t c_type, int has_bias, const dnnl_memory_desc_t *packed_b, int *status) {
    *status = 0;
    for (int i = 0; i < cache_count; i++) {
        matmul_entry *e = &cache[i];
        if (e->m == m && e->n == n && e->k == k && e->lda == lda && e->ldb == ldb && e->ldc == ldc &&
            e->transa == transa && e->transb == transb && e->alpha == alpha && e->beta == beta &&
            e->a_type == a_type && e->b_type == b_type && e->c_type == c_type && e->has_bias == has_bias &&
            (!packed_b || dnnl_memory_desc_equal(&e->b_md, packed_b)))
            return e;
    }
    if (cache_count == CACHE_CAPACITY) {  // a workload with that many shapes: start over rather than grow unbounded
        for (int i = 0; i < cache_count; i++) dnnl_primitive_destroy(cache[i].primitive);
        cache_count = 0;
    }
    matmul_entry e = {m, n, k, lda, ldb, ldc, transa, transb, alpha, beta, a_type, b_type, c_type, has_bias, NULL};
    matrix_md(&e.a_md, m, k, lda, transa, a_type);
    if (packed_b)
        e.b_md = *packed_b;
    else
        matrix_md(&e.b_md, k, n, ldb, transb, b_type);
    matrix_md(&e.c_md, m, n, ldc, 'N', c_type);
    if (has_bias) matrix_md(&e.bias_md, 1, n, n, 'N', dnnl_f32);

    dnnl_matmul_desc_t desc;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    int rc = dnnl_matmul_desc_init(&desc, &e.a_md, &e.b_md, has_bias ? &e.bias_md : NULL, &e.c_md);
    if (!rc) rc = dnnl_primitive_attr_create(&attr);
    // Each execution brings its own scratchpad (`execute_matmul`): the library's shared one would make a primitive
    // unusable from any thread but the one that created it, and cached primitives run on every thread.
    if (!rc) rc = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (!rc && alpha != 1.0f) rc = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha);
    if (!rc && beta != 0.0f) {
        rc = dnnl_post_ops_create(&ops);
        if (!rc) rc = dnnl_post_ops_append_sum(ops, beta);
        if (!rc) rc = dnnl_primitive_attr_set_post_ops(attr, ops);
    }
    if (!rc) rc = dnnl_primitive_desc_create(&pd, &desc, attr, cpu_engine(), NULL);
    if (!rc) e.scratch_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (!rc) rc = dnnl_primitive_create(&e.primitive, pd);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (ops) dnnl_post_ops_destroy(ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (rc) {
        *status = rc;
        return NULL;
    }
    cache[cache_count] = e;
    return &cache[cache_count++];
}

// This thread's working buffers, each grown as needed and kept for the thread's life (a few threads, each holding its
// largest GEMM's): the primitives' scratchpad, the float32 copies of emulated bf16 operands, the split int8 operands.
enum { SCRATCH_BUFFER, WIDE_A_BUFFER, WIDE_B_BUFFER, SPLIT_A_BUFFER, SPLIT_C_BUFFER, BUFFER_COUNT };
static __thread void *thread_buffers[BUFFER_COUNT];
static __thread size_t thread_buffer_sizes[BUFFER_COUNT];

// This thread's buffer `slot` of at least `size` bytes (contents undefined), NULL when out of memory.
static void *thread_buffer(int slot, size_t size) {
    if (size > thread_buffer_sizes[slot]) {
        free(thread_buffers[slot]);
        size_t rounded = (size + 4095) & ~(size_t)4095;
        thread_buffers[slot] = aligned_alloc(64, rounded);
        thread_buffer_sizes[slot] = thread_buffers[slot] ? rounded : 0;
    }
    return thread_buffers[slot];
}

// bf16 matmuls need AVX512 (oneDNN 2.6 has no bf16 kernel below avx512_core, not even its reference one). Elsewhere
// (AVX2 CPUs) a bf16 product runs as a float32 one on its operands widened exactly to float32: the same products of
// bf16 values summed in float32, only in another order.
static int bf16_native = -1;
static pthread_once_t bf16_once = PTHREAD_ONCE_INIT;
static void probe_bf16(void) {
    dnnl_memory_desc_t a_md, b_md, c_md;
    dnnl_matmul_desc_t desc;
    dnnl_primitive_desc_t pd = NULL;
    matrix_md(&a_md, 16, 16, 16, 'N', dnnl_bf16);
    matrix_md(&b_md, 16, 16, 16, 'N', dnnl_bf16);
    matrix_md(&c_md, 16, 16, 16, 'N', dnnl_f32);
    int rc = dnnl_matmul_desc_init(&desc, &a_md, &b_md, NULL, &c_md);
    if (!rc) rc = dnnl_primitive_desc_create(&pd, &desc, NULL, cpu_engine(), NULL);
    if (pd) dnnl_primitive_desc_destroy(pd);
    bf16_native = rc == 0;
}

int ernie_bf16_matmul_native(void) {
    pthread_once(&bf16_once, probe_bf16);
    return bf16_native;
}

typedef struct {
    const uint16_t *x;
    float *wide;
    int64_t ld, cols;
} widening;

static void widen_rows(void *context, int64_t begin, int64_t end) {
    const widening *w = context;
    for (int64_t r = begin; r < end; r++) ernie_bf16_to_f32(w->x + r * w->ld, w->wide + r * w->ld, w->cols);
}

// The elements a rows x cols matrix (op(X) when trans is 'T') with row stride ld spans, at least 1; its widened copy
// `wide` (float32, the same strides) when wide is not NULL, made on the pool's threads.
static size_t widen(const uint16_t *x, float *wide, int64_t rows, int64_t cols, int64_t ld, char trans) {
    int64_t stored_rows = (trans == 'T' || trans == 't') ? cols : rows;
    int64_t stored_cols = (trans == 'T' || trans == 't') ? rows : cols;
    if (wide) {
        widening w = {x, wide, ld, stored_cols};
        ernie_parallel_for(stored_rows, stored_cols > 0 ? 1 + 32768 / stored_cols : 1, widen_rows, &w);
    }
    return stored_rows > 0 ? (size_t)((stored_rows - 1) * ld + stored_cols) : 1;
}

// That widened copy in this thread's buffer `slot`. NULL when out of memory.
static float *widened(int slot, const uint16_t *x, int64_t rows, int64_t cols, int64_t ld, char trans) {
    float *wide = thread_buffer(slot, widen(x, NULL, rows, cols, ld, trans) * sizeof(float));
    if (wide) widen(x, wide, rows, cols, ld, trans);
    return wide;
}

// Runs a matmul primitive on a and c (described by a_md and c_md) with the weights memory b, the bias (bias_md; NULL
// for none) and this thread's scratchpad (scratch_md). Memory objects and the stream are made per call so concurrent
// callers never share mutable state.
static int execute_matmul(dnnl_primitive_t primitive, const dnnl_memory_desc_t *a_md, const void *a, dnnl_memory_t b,
                          const dnnl_memory_desc_t *bias_md, const float *bias, const dnnl_memory_desc_t *c_md, void *c,
                          const dnnl_memory_desc_t *scratch_md) {
    dnnl_memory_t am = NULL, cm = NULL, sm = NULL, biasm = NULL;
    dnnl_stream_t stream = NULL;
    size_t scratch_size = dnnl_memory_desc_get_size(scratch_md);
    int rc = dnnl_memory_create(&am, a_md, cpu_engine(), (void *)a);
    if (!rc) rc = dnnl_memory_create(&cm, c_md, cpu_engine(), c);
    if (!rc && bias) rc = dnnl_memory_create(&biasm, bias_md, cpu_engine(), (void *)bias);
    if (!rc && scratch_size > 0) {
        void *scratch = thread_buffer(SCRATCH_BUFFER, scratch_size);
        rc = scratch ? dnnl_memory_create(&sm, scratch_md, cpu_engine(), scratch) : dnnl_out_of_memory;
    }
    if (!rc) rc = dnnl_stream_create(&stream, cpu_engine(), dnnl_stream_default_flags);
    if (!rc) {
        dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, cm}};
        int count = 3;
        if (sm) args[count++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, sm};
        if (biasm) args[count++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, biasm};
        rc = dnnl_primitive_execute(primitive, stream, count, args);
        if (!rc) rc = dnnl_stream_wait(stream);
    }
    if (stream) dnnl_stream_destroy(stream);
    if (am) dnnl_memory_destroy(am);
    if (biasm) dnnl_memory_destroy(biasm);
    if (cm) dnnl_memory_destroy(cm);
    if (sm) dnnl_memory_destroy(sm);
    return rc;
}

// The weights layout a matmul of a_md × (k × n of b_type) → c_md prefers, and b (plain_md) reordered into it in a new
// memory object *packed (NULL on failure). With `brgemm_only`, *packed stays NULL (status 0) unless that matmul is a
// brgemm kernel (AVX512 and up), the only ones that read the blocked layout as it is: where the matmul is gemm-based
// (AVX2) the packed copy ran 2.7× slower than the plain one on 128 × 3072 × 768 in float32.
static int pack_weights(const dnnl_memory_desc_t *a_md, const dnnl_memory_desc_t *c_md, int64_t k, int64_t n,
                        dnnl_data_type_t b_type, const dnnl_memory_desc_t *plain_md, const void *b, int brgemm_only,
                        dnnl_primitive_desc_t *pd, dnnl_memory_desc_t *packed_md, dnnl_memory_t *packed) {
    dnnl_memory_desc_t any_md;
    dnnl_memory_t plain = NULL;
    dnnl_primitive_desc_t reorder_pd = NULL;
    dnnl_primitive_t reorder = NULL;
    dnnl_stream_t stream = NULL;
    dnnl_dims_t dims = {k, n};
    dnnl_matmul_desc_t desc;
    dnnl_primitive_attr_t attr = NULL;
    int rc = dnnl_memory_desc_init_by_tag(&any_md, 2, dims, b_type, dnnl_format_tag_any);
    if (!rc) rc = dnnl_matmul_desc_init(&desc, a_md, &any_md, NULL, c_md);
    if (!rc) rc = dnnl_primitive_attr_create(&attr);
    if (!rc) rc = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);  // as `lookup`'s
    if (!rc) rc = dnnl_primitive_desc_create(pd, &desc, attr, cpu_engine(), NULL);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (!rc) *packed_md = *dnnl_primitive_desc_query_md(*pd, dnnl_query_weights_md, 0);
    const char *impl = NULL;
    if (!rc && brgemm_only && (dnnl_primitive_desc_query(*pd, dnnl_query_impl_info_str, 0, &impl) || !impl ||
                               !strstr(impl, "brg")))
        return 0;
    if (!rc) rc = dnnl_memory_create(packed, packed_md, cpu_engine(), DNNL_MEMORY_ALLOCATE);
    if (!rc) rc = dnnl_memory_create(&plain, plain_md, cpu_engine(), (void *)b);
    if (!rc) rc = dnnl_reorder_primitive_desc_create(&reorder_pd, plain_md, cpu_engine(), packed_md, cpu_engine(), NULL);
    if (!rc) rc = dnnl_primitive_create(&reorder, reorder_pd);
    if (!rc) rc = dnnl_stream_create(&stream, cpu_engine(), dnnl_stream_default_flags);
    if (!rc) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, plain}, {DNNL_ARG_TO, *packed}};
        rc = dnnl_primitive_execute(reorder, stream, 2, args);
        if (!rc) rc = dnnl_stream_wait(stream);
    }
    if (stream) dnnl_stream_destroy(stream);
    if (reorder) dnnl_primitive_destroy(reorder);
    if (reorder_pd) dnnl_primitive_desc_destroy(reorder_pd);
    if (plain) dnnl_memory_destroy(plain);
    return rc;
}

// Runs the cached primitive of these types and shape on a, b, the bias (NULL for none) and c.
static int run_matmul(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, const void *a, int64_t lda,
                      const void *b, int64_t ldb, const float *bias, float beta, void *c, int64_t ldc,
                      dnnl_data_type_t a_type, dnnl_data_type_t b_type, dnnl_data_type_t c_type) {
    int status = 0;
    pthread_mutex_lock(&cache_lock);
    matmul_entry *e = lookup(transa, transb, m, n, k, alpha, lda, ldb, beta, ldc, a_type, b_type, c_type, bias != NULL,
                             NULL, &status);
    dnnl_primitive_t primitive = e ? e->primitive : NULL;
    dnnl_memory_desc_t a_md, b_md, c_md, bias_md, scratch_md;
    if (e) {
        a_md = e->a_md;
        b_md = e->b_md;
        c_md = e->c_md;
        bias_md = e->bias_md;
        scratch_md = e->scratch_md;
    }
    pthread_mutex_unlock(&cache_lock);
    if (!primitive) return status ? status : -1;

    dnnl_memory_t bm = NULL;
    int rc = dnnl_memory_create(&bm, &b_md, cpu_engine(), (void *)b);
    if (!rc) rc = execute_matmul(primitive, &a_md, a, bm, &bias_md, bias, &c_md, c, &scratch_md);
    if (bm) dnnl_memory_destroy(bm);
    return rc;
}

// A bf16 product: the bf16 primitive, or (`ernie_bf16_matmul_native` false) the float32 one on widened operands.
static int gemm_bf16(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, const uint16_t *a,
                     int64_t lda, const uint16_t *b, int64_t ldb, const float *bias, float beta, float *c, int64_t ldc) {
    if (ernie_bf16_matmul_native())
        return run_matmul(transa, transb, m, n, k, alpha, a, lda, b, ldb, bias, beta, c, ldc, dnnl_bf16, dnnl_bf16,
                          dnnl_f32);
    const float *wide_a = widened(WIDE_A_BUFFER, a, m, k, lda, transa);
    const float *wide_b = widened(WIDE_B_BUFFER, b, k, n, ldb, transb);
    if (!wide_a || !wide_b) return dnnl_out_of_memory;
    return run_matmul(transa, transb, m, n, k, alpha, wide_a, lda, wide_b, ldb, bias, beta, c, ldc, dnnl_f32, dnnl_f32,
                      dnnl_f32);
}

int ernie_gemm_bf16(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, const uint16_t *a,
                    int64_t lda, const uint16_t *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    return gemm_bf16(transa, transb, m, n, k, alpha, a, lda, b, ldb, NULL, beta, c, ldc);
}

int ernie_gemm_bf16_bias(char transa, char transb, int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                         const uint16_t *b, int64_t ldb, const float *bias, float *c, int64_t ldc) {
    return gemm_bf16(transa, transb, m, n, k, 1.0f, a, lda, b, ldb, bias, 0.0f, c, ldc);
}

// Without VNNI (AVX2 CPUs) oneDNN's u8 × s8 kernels add each pair of products in int16 with saturation
// (vpmaddubsw), so 255 · 127 + 255 · 127 comes out as 32767. Where a probe product shows that, A is split into its
// low 7 bits and its top bit, whose pairs cannot saturate (2 · 127 · 127 < 2¹⁵), and C = A_low · B + 128 · A_top · B
// in int32: exact, at twice the cost.
static int int8_exact = -1;
static pthread_once_t int8_once = PTHREAD_ONCE_INIT;
static void probe_int8(void) {
    enum { M = 8, N = 16, K = 64 };  // a shape the blocked kernels take, not a reference-only corner
    uint8_t a[M * K];
    int8_t b[K * N];
    int32_t c[M * N];
    memset(a, 255, sizeof a);
    memset(b, 127, sizeof b);
    int rc = run_matmul('N', 'N', M, N, K, 1.0f, a, K, b, N, NULL, 0.0f, c, N, dnnl_u8, dnnl_s8, dnnl_s32);
    int exact = rc == 0;
    for (int i = 0; i < M * N && exact; i++) exact = c[i] == K * 255 * 127;
    int8_exact = exact;
}

int ernie_int8_matmul_exact(void) {
    pthread_once(&int8_once, probe_int8);
    return int8_exact;
}

static const char *implementation(int64_t m, int64_t n, int64_t k, dnnl_data_type_t a_type, dnnl_data_type_t b_type,
                                  dnnl_data_type_t c_type) {
    int status = 0;
    pthread_mutex_lock(&cache_lock);
    matmul_entry *e = lookup('N', 'N', m, n, k, 1.0f, k, n, 0.0f, n, a_type, b_type, c_type, 0, NULL, &status);
    const char *name = "unavailable";
    if (e) {
        const_dnnl_primitive_desc_t pd = NULL;
        if (!dnnl_primitive_get_primitive_desc(e->primitive, &pd) && pd) {
            const char *impl = NULL;
            if (!dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) && impl) name = impl;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return name;
}

const char *ernie_gemm_bf16_impl(int64_t m, int64_t n, int64_t k) {
    if (!ernie_bf16_matmul_native()) return "float32 on widened bf16 (no bf16 matmul on this CPU)";
    return implementation(m, n, k, dnnl_bf16, dnnl_bf16, dnnl_f32);
}

const char *ernie_gemm_u8s8s32_impl(int64_t m, int64_t n, int64_t k) {
    return implementation(m, n, k, dnnl_u8, dnnl_s8, dnnl_s32);
}

// Pre-packed weights: B reordered once into the blocked layout the AMX kernel reads (the plain-layout primitive
// repacks B inside every call). The primitive is made for one m, so a packed matrix serves products with that m.
struct ernie_packed_bf16 {
    int64_t m, n, k;
    dnnl_primitive_t primitive;
    dnnl_memory_desc_t a_md, c_md, packed_md, scratch_md;
    dnnl_memory_t packed;
    // Without bf16 matmuls: B widened to float32 (op(B) per transb and ldb), multiplied by the float32 GEMM.
    float *wide_b;
    char transb;
    int64_t ldb;
};

ernie_packed_bf16 *ernie_pack_bf16(char transb, int64_t m, int64_t n, int64_t k, const uint16_t *b, int64_t ldb,
                                   int *status) {
    ernie_packed_bf16 *p = calloc(1, sizeof *p);
    dnnl_memory_desc_t plain_md;
    dnnl_primitive_desc_t pd = NULL;
    p->m = m;
    p->n = n;
    p->k = k;
    if (!ernie_bf16_matmul_native()) {
        p->wide_b = malloc(widen(b, NULL, k, n, ldb, transb) * sizeof(float));
        p->transb = transb;
        p->ldb = ldb;
        *status = p->wide_b ? 0 : dnnl_out_of_memory;
        if (!p->wide_b) {
            free(p);
            return NULL;
        }
        widen(b, p->wide_b, k, n, ldb, transb);
        return p;
    }
    matrix_md(&p->a_md, m, k, k, 'N', dnnl_bf16);
    matrix_md(&p->c_md, m, n, n, 'N', dnnl_f32);
    matrix_md(&plain_md, k, n, ldb, transb, dnnl_bf16);
    int rc = pack_weights(&p->a_md, &p->c_md, k, n, dnnl_bf16, &plain_md, b, 0, &pd, &p->packed_md, &p->packed);
    if (!rc) p->scratch_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (!rc) rc = dnnl_primitive_create(&p->primitive, pd);
    if (pd) dnnl_primitive_desc_destroy(pd);
    *status = rc;
    if (rc) {
        ernie_packed_bf16_free(p);
        return NULL;
    }
    return p;
}

int ernie_gemm_bf16_packed(const uint16_t *a, const ernie_packed_bf16 *b, float *c) {
    if (b->wide_b) {
        const float *wide_a = widened(WIDE_A_BUFFER, a, b->m, b->k, b->k, 'N');
        if (!wide_a) return dnnl_out_of_memory;
        return run_matmul('N', b->transb, b->m, b->n, b->k, 1.0f, wide_a, b->k, b->wide_b, b->ldb, NULL, 0.0f, c, b->n,
                          dnnl_f32, dnnl_f32, dnnl_f32);
    }
    return execute_matmul(b->primitive, &b->a_md, a, b->packed, NULL, NULL, &b->c_md, c, &b->scratch_md);
}

void ernie_packed_bf16_free(ernie_packed_bf16 *p) {
    if (!p) return;
    if (p->packed) dnnl_memory_destroy(p->packed);
    if (p->primitive) dnnl_primitive_destroy(p->primitive);
    free(p->wide_b);
    free(p);
}

// Linear weights B [n, k] packed once. oneDNN's int8 and bf16 kernels choose the same blocked weights layout for
// every m (checked on VNNI and AVX512-BF16: m = 1 … 4096), so one packed copy serves every batch shape; a primitive
// per m (and beta) comes from the cache. Should a kernel ask for another layout at some m, the product runs on the
// plain copy instead, as every product does where the matmul is gemm-based and nothing was packed (`pack_weights`).
struct ernie_packed_weights {
    int64_t n, k;
    const void *plain;
    dnnl_data_type_t a_type, b_type, c_type;
    dnnl_memory_desc_t packed_md;
    dnnl_memory_t packed;
    // bf16 weights on a CPU without bf16 matmuls: float32 weights (`plain`, owned) whose products widen A first.
    float *wide_plain;
};

static void packed_weights_free(struct ernie_packed_weights *p) {
    if (!p) return;
    if (p->packed) dnnl_memory_destroy(p->packed);
    free(p->wide_plain);
    free(p);
}

static struct ernie_packed_weights *pack_linear_weights(int64_t n, int64_t k, const void *b, dnnl_data_type_t a_type,
                                                        dnnl_data_type_t b_type, dnnl_data_type_t c_type, int *status) {
    struct ernie_packed_weights *p = calloc(1, sizeof *p);
    p->n = n;
    p->k = k;
    p->plain = b;
    p->a_type = a_type;
    p->b_type = b_type;
    p->c_type = c_type;
    dnnl_memory_desc_t a_md, c_md, plain_md;
    dnnl_primitive_desc_t pd = NULL;
    matrix_md(&a_md, 128, k, k, 'N', a_type);
    matrix_md(&c_md, 128, n, n, 'N', c_type);
    matrix_md(&plain_md, k, n, k, 'T', b_type);
    int rc = pack_weights(&a_md, &c_md, k, n, b_type, &plain_md, b, 1, &pd, &p->packed_md, &p->packed);
    if (pd) dnnl_primitive_desc_destroy(pd);
    *status = rc;
    if (rc) {
        packed_weights_free(p);
        return NULL;
    }
    return p;
}

// C[m, n] = A[m, k] · Bᵀ (+ bias, a float32 [n] or NULL) (+ beta · C) on the packed copy when there is one and this
// m's primitive reads its layout, else on the plain one.
static int gemm_packed_weights(int64_t m, const void *a, const struct ernie_packed_weights *b, const float *bias,
                               float beta, void *c) {
    if (!b->packed)
        return run_matmul('N', 'T', m, b->n, b->k, 1.0f, a, b->k, b->plain, b->k, bias, beta, c, b->n, b->a_type,
                          b->b_type, b->c_type);
    int status = 0;
    pthread_mutex_lock(&cache_lock);
    matmul_entry *e = lookup('N', 'P', m, b->n, b->k, 1.0f, b->k, 0, beta, b->n, b->a_type, b->b_type, b->c_type,
                             bias != NULL, &b->packed_md, &status);
    int usable = 0;
    dnnl_primitive_t primitive = NULL;
    dnnl_memory_desc_t a_md, c_md, bias_md, scratch_md;
    if (e) {
        const_dnnl_primitive_desc_t pd = NULL;
        if (!dnnl_primitive_get_primitive_desc(e->primitive, &pd) && pd)
            usable = dnnl_memory_desc_equal(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), &b->packed_md);
        primitive = e->primitive;
        a_md = e->a_md;
        c_md = e->c_md;
        bias_md = e->bias_md;
        scratch_md = e->scratch_md;
    }
    pthread_mutex_unlock(&cache_lock);
    if (!usable)
        return run_matmul('N', 'T', m, b->n, b->k, 1.0f, a, b->k, b->plain, b->k, bias, beta, c, b->n, b->a_type,
                          b->b_type, b->c_type);
    return execute_matmul(primitive, &a_md, a, b->packed, &bias_md, bias, &c_md, c, &scratch_md);
}

ernie_packed_s8 *ernie_pack_s8(int64_t n, int64_t k, const int8_t *b, int *status) {
    return pack_linear_weights(n, k, b, dnnl_u8, dnnl_s8, dnnl_s32, status);
}

int ernie_gemm_u8s8s32_packed(int64_t m, const uint8_t *a, const ernie_packed_s8 *b, int32_t *c) {
    if (ernie_int8_matmul_exact()) return gemm_packed_weights(m, a, b, NULL, 0.0f, c);
    int64_t n = b->n, k = b->k;
    uint8_t *low = thread_buffer(SPLIT_A_BUFFER, (size_t)(2 * m * k > 0 ? 2 * m * k : 1));
    int32_t *top_c = thread_buffer(SPLIT_C_BUFFER, (size_t)(m * n > 0 ? m * n : 1) * sizeof(int32_t));
    if (!low || !top_c) return dnnl_out_of_memory;
    uint8_t *top = low + m * k;
    for (int64_t i = 0; i < m * k; i++) {
        low[i] = a[i] & 0x7f;
        top[i] = a[i] >> 7;
    }
    int rc = gemm_packed_weights(m, low, b, NULL, 0.0f, c);
    if (!rc) rc = gemm_packed_weights(m, top, b, NULL, 0.0f, top_c);
    if (rc) return rc;
    for (int64_t i = 0; i < m * n; i++) c[i] += top_c[i] * 128;
    return 0;
}

void ernie_packed_s8_free(ernie_packed_s8 *p) { packed_weights_free(p); }

ernie_packed_bf16_weights *ernie_pack_bf16_weights(int64_t n, int64_t k, const uint16_t *b, int *status) {
    if (ernie_bf16_matmul_native()) return pack_linear_weights(n, k, b, dnnl_bf16, dnnl_bf16, dnnl_f32, status);
    float *wide = malloc((n * k > 0 ? (size_t)(n * k) : 1) * sizeof(float));
    if (!wide) {
        *status = dnnl_out_of_memory;
        return NULL;
    }
    ernie_bf16_to_f32(b, wide, n * k);
    struct ernie_packed_weights *p = pack_linear_weights(n, k, wide, dnnl_f32, dnnl_f32, dnnl_f32, status);
    if (!p) {
        free(wide);
        return NULL;
    }
    p->wide_plain = wide;
    return p;
}

int ernie_gemm_bf16_packed_weights(int64_t m, const uint16_t *a, const ernie_packed_bf16_weights *b, const float *bias,
                                   float beta, float *c) {
    if (!b->wide_plain) return gemm_packed_weights(m, a, b, bias, beta, c);
    const float *wide_a = widened(WIDE_A_BUFFER, a, m, b->k, b->k, 'N');
    if (!wide_a) return dnnl_out_of_memory;
    return gemm_packed_weights(m, wide_a, b, bias, beta, c);
}

void ernie_packed_bf16_weights_free(ernie_packed_bf16_weights *p) { packed_weights_free(p); }

ernie_packed_f32_weights *ernie_pack_f32_weights(int64_t n, int64_t k, const float *b, int *status) {
    return pack_linear_weights(n, k, b, dnnl_f32, dnnl_f32, dnnl_f32, status);
}

int ernie_gemm_f32_packed_weights(int64_t m, const float *a, const ernie_packed_f32_weights *b, const float *bias,
                                  float beta, float *c) {
    return gemm_packed_weights(m, a, b, bias, beta, c);
}

void ernie_packed_f32_weights_free(ernie_packed_f32_weights *p) { packed_weights_free(p); }

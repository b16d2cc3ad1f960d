// bf16 GEMM through oneDNN's matmul primitive. oneDNN 2.6's C API has no bf16 gemm function, so primitives are
// created once per (shape, layout, alpha, beta) and cached: creating one costs far more than running a BERT-sized GEMM.
#include "CShims.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t m, n, k, lda, ldb, ldc;
    char transa, transb;
    float alpha, beta;
    dnnl_primitive_t primitive;
    dnnl_memory_desc_t a_md, b_md, c_md;
} matmul_entry;

#define CACHE_CAPACITY 256
static matmul_entry cache[CACHE_CAPACITY];
static int cache_count = 0;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t engine = NULL;

static dnnl_engine_t cpu_engine(void) {
    if (!engine) dnnl_engine_create(&engine, dnnl_cpu, 0);
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

static matmul_entry *lookup(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, int64_t lda,
                            int64_t ldb, float beta, int64_t ldc, int *status) {
    *status = 0;
    for (int i = 0; i < cache_count; i++) {
        matmul_entry *e = &cache[i];
        if (e->m == m && e->n == n && e->k == k && e->lda == lda && e->ldb == ldb && e->ldc == ldc &&
            e->transa == transa && e->transb == transb && e->alpha == alpha && e->beta == beta)
            return e;
    }
    if (cache_count == CACHE_CAPACITY) {  // a workload with that many shapes: start over rather than grow unbounded
        for (int i = 0; i < cache_count; i++) dnnl_primitive_destroy(cache[i].primitive);
        cache_count = 0;
    }
    matmul_entry e = {m, n, k, lda, ldb, ldc, transa, transb, alpha, beta, NULL};
    matrix_md(&e.a_md, m, k, lda, transa, dnnl_bf16);
    matrix_md(&e.b_md, k, n, ldb, transb, dnnl_bf16);
    matrix_md(&e.c_md, m, n, ldc, 'N', dnnl_f32);

    dnnl_matmul_desc_t desc;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    int rc = dnnl_matmul_desc_init(&desc, &e.a_md, &e.b_md, NULL, &e.c_md);
    if (!rc) rc = dnnl_primitive_attr_create(&attr);
    if (!rc && alpha != 1.0f) rc = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha);
    if (!rc && beta != 0.0f) {
        rc = dnnl_post_ops_create(&ops);
        if (!rc) rc = dnnl_post_ops_append_sum(ops, beta);
        if (!rc) rc = dnnl_primitive_attr_set_post_ops(attr, ops);
    }
    if (!rc) rc = dnnl_primitive_desc_create(&pd, &desc, attr, cpu_engine(), NULL);
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

int ernie_gemm_bf16(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, const uint16_t *a,
                    int64_t lda, const uint16_t *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    int status = 0;
    pthread_mutex_lock(&cache_lock);
    matmul_entry *e = lookup(transa, transb, m, n, k, alpha, lda, ldb, beta, ldc, &status);
    dnnl_primitive_t primitive = e ? e->primitive : NULL;
    dnnl_memory_desc_t a_md, b_md, c_md;
    if (e) {
        a_md = e->a_md;
        b_md = e->b_md;
        c_md = e->c_md;
    }
    pthread_mutex_unlock(&cache_lock);
    if (!primitive) return status ? status : -1;

    // Memory objects and the stream are made per call so concurrent callers never share mutable state.
    dnnl_memory_t am = NULL, bm = NULL, cm = NULL;
    dnnl_stream_t stream = NULL;
    int rc = dnnl_memory_create(&am, &a_md, cpu_engine(), (void *)a);
    if (!rc) rc = dnnl_memory_create(&bm, &b_md, cpu_engine(), (void *)b);
    if (!rc) rc = dnnl_memory_create(&cm, &c_md, cpu_engine(), c);
    if (!rc) rc = dnnl_stream_create(&stream, cpu_engine(), dnnl_stream_default_flags);
    if (!rc) {
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
        rc = dnnl_primitive_execute(primitive, stream, 3, args);
        if (!rc) rc = dnnl_stream_wait(stream);
    }
    if (stream) dnnl_stream_destroy(stream);
    if (am) dnnl_memory_destroy(am);
    if (bm) dnnl_memory_destroy(bm);
    if (cm) dnnl_memory_destroy(cm);
    return rc;
}

const char *ernie_gemm_bf16_impl(int64_t m, int64_t n, int64_t k) {
    int status = 0;
    pthread_mutex_lock(&cache_lock);
    matmul_entry *e = lookup('N', 'N', m, n, k, 1.0f, k, n, 0.0f, n, &status);
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

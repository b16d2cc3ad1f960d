// ernie_parallel_for over libgomp's pool, called through GOMP_parallel (the ABI gcc emits for `#pragma omp
// parallel`), because the Swift toolchain's clang would otherwise need LLVM's libomp: two OpenMP runtimes in one
// process would double the threads on the machine's 2 cores.
#include "CShims.h"

extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern int omp_get_thread_num(void);
extern int omp_get_num_threads(void);
extern int omp_get_max_threads(void);
extern void omp_set_num_threads(int);

typedef struct {
    int64_t count;
    int64_t chunks;
    ernie_range_fn body;
    void *context;
} loop_t;

static void run_chunks(void *data) {
    const loop_t *loop = (const loop_t *)data;
    const int64_t threads = omp_get_num_threads();
    for (int64_t chunk = omp_get_thread_num(); chunk < loop->chunks; chunk += threads) {
        const int64_t begin = loop->count * chunk / loop->chunks;
        const int64_t end = loop->count * (chunk + 1) / loop->chunks;
        if (begin < end) loop->body(loop->context, begin, end);
    }
}

void ernie_parallel_for(int64_t count, int64_t grain, ernie_range_fn body, void *context) {
    if (count <= 0) return;
    if (grain < 1) grain = 1;
    int64_t chunks = omp_get_max_threads();
    if (chunks > count / grain) chunks = count / grain;
    if (chunks <= 1) {
        body(context, 0, count);
        return;
    }
    loop_t loop = {count, chunks, body, context};
    GOMP_parallel(run_chunks, &loop, (unsigned)chunks, 0);
}

void ernie_set_num_threads(int threads) {
    if (threads > 0) omp_set_num_threads(threads);
}

int ernie_get_num_threads(void) { return omp_get_max_threads(); }

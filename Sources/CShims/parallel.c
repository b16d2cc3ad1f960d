// ernie_parallel_for over libgomp's pool, called through GOMP_parallel (the ABI gcc emits for `#pragma omp
// parallel`), because the Swift toolchain's clang would otherwise need LLVM's libomp: two OpenMP runtimes in one
// process would double the threads on the machine's 2 cores.
#include "CShims.h"

// ThreadSanitizer cannot see libgomp's fork and join (libgomp is not instrumented), so it would report every
// hand-over between the calling thread and the pool's threads as a race. When the TSan runtime is in the process
// (Swift code built with -sanitize=thread; this C file may not be), the fork and the join are annotated as
// release/acquire pairs on the loop descriptor; otherwise the weak symbols are null and nothing is called.
extern void __tsan_acquire(void *address) __attribute__((weak));
extern void __tsan_release(void *address) __attribute__((weak));
#define TSAN_ACQUIRE(address) do { if (__tsan_acquire) __tsan_acquire(address); } while (0)
#define TSAN_RELEASE(address) do { if (__tsan_release) __tsan_release(address); } while (0)

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
    TSAN_ACQUIRE(data);  // the fork: everything the caller wrote before GOMP_parallel
    const int64_t threads = omp_get_num_threads();
    for (int64_t chunk = omp_get_thread_num(); chunk < loop->chunks; chunk += threads) {
        const int64_t begin = loop->count * chunk / loop->chunks;
        const int64_t end = loop->count * (chunk + 1) / loop->chunks;
        if (begin < end) loop->body(loop->context, begin, end);
    }
    TSAN_RELEASE(data);  // the join: this thread's writes, seen by the caller after GOMP_parallel
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
    TSAN_RELEASE(&loop);
    GOMP_parallel(run_chunks, &loop, (unsigned)chunks, 0);
    TSAN_ACQUIRE(&loop);
}

void ernie_set_num_threads(int threads) {
    if (threads > 0) omp_set_num_threads(threads);
}

int ernie_get_num_threads(void) { return omp_get_max_threads(); }

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

#endif

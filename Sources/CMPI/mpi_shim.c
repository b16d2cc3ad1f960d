#include "CMPI.h"
#include <mpi.h>
#include <stdlib.h>

int ernie_mpi_launched(void) { return getenv("OMPI_COMM_WORLD_SIZE") != NULL; }

int ernie_mpi_init(void) {
    int ready = 0;
    MPI_Initialized(&ready);
    if (ready) return 0;
    // SERIALIZED: the training loop may run on any thread (Swift's concurrency), one call at a time.
    int provided = 0;
    return MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
}

int ernie_mpi_rank(void) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

int ernie_mpi_world_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

// MPI counts are int: large buffers go in pieces.
#define PIECE ((int64_t)1 << 30)

int ernie_mpi_allreduce_sum_f32(float *buffer, int64_t count) {
    for (int64_t at = 0; at < count; at += PIECE) {
        int n = (int)(count - at < PIECE ? count - at : PIECE);
        int rc = MPI_Allreduce(MPI_IN_PLACE, buffer + at, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return 0;
}

int ernie_mpi_allreduce_sum_f64(double *buffer, int64_t count) {
    for (int64_t at = 0; at < count; at += PIECE) {
        int n = (int)(count - at < PIECE ? count - at : PIECE);
        int rc = MPI_Allreduce(MPI_IN_PLACE, buffer + at, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return 0;
}

int ernie_mpi_broadcast(void *buffer, int64_t bytes, int root) {
    for (int64_t at = 0; at < bytes; at += PIECE) {
        int n = (int)(bytes - at < PIECE ? bytes - at : PIECE);
        int rc = MPI_Bcast((char *)buffer + at, n, MPI_BYTE, root, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return 0;
}

int ernie_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
void ernie_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
int ernie_mpi_finalize(void) { return MPI_Finalize(); }

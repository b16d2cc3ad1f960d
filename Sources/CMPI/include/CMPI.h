// CMPI: the few MPI calls ernie needs, as plain functions, because MPI_COMM_WORLD and MPI_FLOAT are macros Swift
// cannot import. Everything works on MPI_COMM_WORLD.
#ifndef ERNIE_CMPI_H
#define ERNIE_CMPI_H

#include <stdint.h>

/// Initialises MPI when the process was started by mpirun; returns 0 on success.
int ernie_mpi_init(void);
/// 1 when the process runs under an MPI launcher (OMPI_COMM_WORLD_SIZE is set).
int ernie_mpi_launched(void);
int ernie_mpi_rank(void);
int ernie_mpi_world_size(void);
/// In-place sum of `count` floats across ranks.
int ernie_mpi_allreduce_sum_f32(float *buffer, int64_t count);
/// In-place sum of `count` doubles across ranks.
int ernie_mpi_allreduce_sum_f64(double *buffer, int64_t count);
/// Rank `root`'s bytes to every rank.
int ernie_mpi_broadcast(void *buffer, int64_t bytes, int root);
int ernie_mpi_barrier(void);
/// Stops every rank (a failed rank must not leave the others hanging).
void ernie_mpi_abort(int code);
int ernie_mpi_finalize(void);

#endif

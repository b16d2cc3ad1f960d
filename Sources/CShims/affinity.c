// The cores this process may run on: sched_getaffinity's set (taskset, or mpirun's binding of a rank to one core),
// which the machine's processor count does not reflect. CPU_COUNT is a macro Swift cannot import.
#define _GNU_SOURCE
#include "CShims.h"
#include <sched.h>
#include <unistd.h>

int ernie_available_cores(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return count;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

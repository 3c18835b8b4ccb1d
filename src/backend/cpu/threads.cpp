// Thread count for Ember's kernels; oneDNN shares the same OpenMP pool.
#include <omp.h>

#include "ember/error.h"
#include "ember/threads.h"

namespace ember {

void set_num_threads(int n) {
  EMBER_CHECK(n > 0, "set_num_threads: expected a positive number of threads, got ", n);
  omp_set_num_threads(n);
}

int get_num_threads() { return omp_get_max_threads(); }

}  // namespace ember

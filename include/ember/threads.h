// Threads used by Ember's CPU kernels (and oneDNN's). Small tensors always run on one.
#pragma once

namespace ember {

void set_num_threads(int n);
int get_num_threads();

}  // namespace ember

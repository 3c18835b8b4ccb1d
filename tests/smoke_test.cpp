// The smallest end-to-end check: build a tensor, compute, read back.
#include <ember/ember.h>
#include <gtest/gtest.h>

using namespace ember;

TEST(Smoke, AddAndSum) {
  Tensor x = tensor({{1.0, 2.0}, {3.0, 4.0}});
  EXPECT_EQ((x + 1).sum().item<double>(), 14.0);
}

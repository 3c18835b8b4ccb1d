// Every op with a backward rule, by the name its node records: Ember's
// counterpart of a derivatives list. The gradcheck table's completeness test
// (tests/autograd_ops_test.cpp) runs the table and checks that the graphs it
// records reach every name here; debug builds check at each record that the
// name is declared, so the list cannot fall behind the code.
#include <algorithm>
#include <string>
#include <vector>

#include "ember/autograd.h"
#include "ember/elementwise_ops.h"
#include "graph/record.h"

namespace ember::autograd {
namespace {

std::vector<std::string> declared_rules() {
  std::vector<std::string> names = {
      // elementwise ops with forms of their own (the regular ones come from their lists below)
      "add", "add_", "sub", "sub_", "pow", "pow_", "maximum", "minimum", "relu_backward", "clamp", "where",
      "masked_fill",
      // views and copies
      "view", "reshape", "expand", "permute", "transpose", "squeeze", "unsqueeze", "narrow", "narrow_backward",
      "select", "select_backward", "slice", "slice_backward", "as_strided", "flip", "repeat", "clone", "to", "cat",
      "copy_slices",
      // reductions, scans and selections
      "sum", "mean", "prod", "amax", "amin", "max", "min", "norm", "std", "cumsum", "cumprod", "logcumsumexp", "sort",
      "topk",
      // indexing
      "index_select", "gather", "scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_src_backward",
      "masked_select",
      // matrix products, convolution and its windows
      "bmm", "convolution", "im2col", "col2im",
      // nn's fused kernels and losses
      "batch_norm", "layer_norm", "binary_cross_entropy", "scaled_dot_product_attention"};
#define EMBER_RULE_WITH_INPLACE(name) \
  names.push_back(#name);             \
  names.push_back(#name "_");
  EMBER_BINARY_OPS(EMBER_RULE_WITH_INPLACE)
  EMBER_UNARY_OPS(EMBER_RULE_WITH_INPLACE)
#undef EMBER_RULE_WITH_INPLACE
  // logical_not gives bool, which has no gradient.
  std::erase_if(names, [](const std::string& n) { return n.starts_with("logical_not"); });
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

const std::vector<std::string>& ops_with_rules() {
  static const std::vector<std::string> names = declared_rules();
  return names;
}

bool is_declared_rule(const char* op) {
  const auto& names = ops_with_rules();
  return std::binary_search(names.begin(), names.end(), std::string_view(op),
                            [](std::string_view a, std::string_view b) { return a < b; });
}

}  // namespace ember::autograd

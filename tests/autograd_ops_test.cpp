// float64 gradcheck of every row of the op table (op_table.cpp) that has
// input shapes: contiguous and non-contiguous inputs, and gradgradcheck where
// the row allows it. A completeness test runs the rows and checks that the
// graphs they record reach every op that declares a backward rule
// (autograd::ops_with_rules()).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "op_table.h"

using namespace ember;
using namespace ember_tests;
using autograd::gradcheck;
using autograd::gradgradcheck;

namespace {

std::vector<OpCase> gradcheck_rows() {
  std::vector<OpCase> rows;
  for (const OpCase& c : op_table())
    if (!c.shapes.empty()) rows.push_back(c);
  return rows;
}

autograd::Function first_output(const OpCase& c) {
  return [fn = c.fn](const Tensors& x) { return fn(x)[0]; };
}

Tensor make_input(const Shape& shape, Domain domain, uint64_t seed, bool contiguous) {
  Generator gen(seed);
  Shape wide = shape;
  if (!contiguous && !wide.empty()) wide.back() *= 2;
  Tensor t = rand(wide, {.dtype = kFloat64}, &gen);
  switch (domain) {
    case Domain::any: t = t * 4 - 2; break;
    case Domain::positive: t = t * 2 + 0.5; break;
    case Domain::unit: t = t * 1.8 - 0.9; break;
  }
  if (!contiguous && !shape.empty()) t = t.slice(-1, 0, std::nullopt, 2);  // every other column: strided
  if (!contiguous && shape.empty()) t = t.expand({2}).select(0, 1);
  return t.detach().requires_grad_();
}

Tensors make_inputs(const OpCase& c, bool contiguous) {
  Tensors inputs;
  for (size_t i = 0; i < c.shapes.size(); ++i) inputs.push_back(make_input(c.shapes[i], c.domain, 100 + i, contiguous));
  return inputs;
}

// Names of the ops recorded in the graph that produced `t`.
void collect_ops(const Tensor& t, std::set<std::string>& seen) {
  std::vector<std::shared_ptr<Node>> stack;
  if (t.grad_fn()) stack.push_back(t.grad_fn());
  std::set<Node*> visited;
  while (!stack.empty()) {
    auto node = stack.back();
    stack.pop_back();
    if (!visited.insert(node.get()).second) continue;
    seen.insert(node->op());
    for (const auto& e : node->next_edges())
      if (e.node) stack.push_back(e.node);
  }
}

class GradcheckOp : public ::testing::TestWithParam<OpCase> {};

TEST_P(GradcheckOp, Contiguous) {
  const OpCase& c = GetParam();
  const Tensors inputs = make_inputs(c, true);
  EXPECT_NO_THROW(gradcheck(first_output(c), inputs)) << c.name;
}

TEST_P(GradcheckOp, NonContiguous) {
  const OpCase& c = GetParam();
  const Tensors inputs = make_inputs(c, false);
  for (const Tensor& t : inputs) {
    if (t.dim() > 0 && t.numel() > 1) {
      ASSERT_FALSE(t.is_contiguous());
    }
  }
  EXPECT_NO_THROW(gradcheck(first_output(c), inputs)) << c.name;
}

TEST_P(GradcheckOp, SecondOrder) {
  const OpCase& c = GetParam();
  if (!c.gradgrad) GTEST_SKIP() << "first order only";
  const Tensors inputs = make_inputs(c, true);
  EXPECT_NO_THROW(gradgradcheck(first_output(c), inputs)) << c.name;
}

std::string case_name(const ::testing::TestParamInfo<OpCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Ops, GradcheckOp, ::testing::ValuesIn(gradcheck_rows()), case_name);

// The graphs of every row, first and second order, must reach every op that
// declares a backward rule: each is then known to be gradchecked.
TEST(GradcheckTable, EveryOpWithARuleHasACase) {
  std::set<std::string> seen;
  for (const OpCase& c : gradcheck_rows()) {
    const Tensors inputs = make_inputs(c, true);
    const Tensor out = c.fn(inputs)[0];
    collect_ops(out, seen);
    const Tensors grads = autograd::grad({out}, inputs, {ones_like(out).requires_grad_()}, true, true, true);
    for (const Tensor& g : grads)
      if (g.defined()) collect_ops(g, seen);
  }
  const std::vector<std::string>& rules = autograd::ops_with_rules();
  ASSERT_GT(rules.size(), 100u);
  for (const std::string& op : rules)
    EXPECT_TRUE(seen.count(op)) << "op '" << op << "' declares a backward rule but no gradcheck row reaches it";
  for (const std::string& op : seen) {
    if (op == "accumulate_grad") continue;  // a leaf's node, not a rule
    EXPECT_TRUE(std::binary_search(rules.begin(), rules.end(), op)) << "op '" << op << "' records an undeclared rule";
  }
}

}  // namespace

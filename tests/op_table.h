// The op table: one row per case, driving the gradcheck, gradgradcheck and
// non-contiguous checks (autograd_ops_test.cpp, on random float64 inputs of
// the row's shapes) and PyTorch parity of values and gradients
// (parity_test.cpp, on the inputs of tests/golden/ops.txt's case of the
// row's name). A row with no shapes is checked for parity only; one whose
// name has no fixture, by gradcheck only.
#pragma once

#include <ember/ember.h>

#include <functional>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

namespace ember_tests {

using namespace ember;

using Tensors = std::vector<Tensor>;

enum class Domain { any, positive, unit };  // (-2, 2); (0.5, 2.5); (-0.9, 0.9)

struct OpCase {
  std::string name;
  std::vector<Shape> shapes;  // gradcheck's inputs; empty: parity only
  std::function<Tensors(const Tensors&)> fn;  // its outputs; gradcheck differentiates the first
  Domain domain = Domain::any;
  bool gradgrad = true;

  // fn may return one Tensor or several.
  template <class F>
  OpCase(std::string case_name, std::vector<Shape> input_shapes, F f, Domain d = Domain::any, bool second_order = true)
      : name(std::move(case_name)), shapes(std::move(input_shapes)), domain(d), gradgrad(second_order) {
    if constexpr (std::is_same_v<std::invoke_result_t<F, const Tensors&>, Tensor>)
      fn = [f](const Tensors& x) { return Tensors{f(x)}; };
    else
      fn = f;
  }
};

const std::vector<OpCase>& op_table();

// How gtest prints a row: its name.
inline void PrintTo(const OpCase& c, std::ostream* out) { *out << c.name; }

}  // namespace ember_tests

// PyTorch parity: every case of tests/golden/ops.txt runs the op table's row
// of its name (op_table.cpp) on the stored inputs and must reproduce
// PyTorch's outputs and gradients (float64, tight tolerance).
#include <gtest/gtest.h>

#include "fixture_format.h"
#include "op_table.h"

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

using namespace ember;

namespace {

using ember_tests::OpCase;
using ember_tests::op_table;
using ember_tests::Tensors;

struct Fixture {
  Tensors inputs, outputs;
  Tensor cotangent;  // for the first output; undefined for non-differentiable cases
  Tensors grads;     // PyTorch's gradient for each float64 input
};

using fixtures::parse_tensor;

std::map<std::string, Fixture> load_all_fixtures() {
  std::ifstream file(EMBER_GOLDEN_DIR "/ops.txt");
  EXPECT_TRUE(file.good()) << "missing " EMBER_GOLDEN_DIR "/ops.txt";
  std::map<std::string, Fixture> fixtures;
  Fixture* current = nullptr;
  for (std::string line; std::getline(file, line);) {
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    if (kind == "case") {
      std::string name;
      in >> name;
      current = &fixtures[name];
    } else if (kind == "in" || kind == "out") {
      (kind == "in" ? current->inputs : current->outputs).push_back(parse_tensor(in));
    } else if (kind == "cot") {
      current->cotangent = parse_tensor(in);
    } else if (kind == "grad") {
      current->grads.push_back(parse_tensor(in));
    }
  }
  return fixtures;
}

const std::map<std::string, Fixture>& all_fixtures() {
  static const auto loaded = load_all_fixtures();
  return loaded;
}

}  // namespace

// The op table's rows with a fixture, by name.
static std::map<std::string, const OpCase*> parity_rows() {
  std::map<std::string, const OpCase*> rows;
  for (const OpCase& c : op_table())
    if (all_fixtures().count(c.name)) rows[c.name] = &c;
  return rows;
}

TEST(Parity, EveryFixtureHasATableRowAndEveryParityRowAFixture) {
  std::set<std::string> names;
  for (const OpCase& c : op_table()) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name << " names two rows";
    if (c.shapes.empty()) {
      EXPECT_TRUE(all_fixtures().count(c.name)) << c.name << " is a parity row without a fixture";
    }
  }
  for (const auto& [name, fixture] : all_fixtures()) EXPECT_TRUE(names.count(name)) << name << " has no table row";
  EXPECT_GT(parity_rows().size(), 90u);
}

// PyTorch's value, to 1e-10 relative; a NaN must be NaN and an infinity the same infinity.
void expect_value(double got, double want, const std::string& where) {
  if (std::isnan(want) || std::isinf(want)) {
    EXPECT_TRUE(std::isnan(want) ? std::isnan(got) : got == want) << where << ": " << got << " vs PyTorch's " << want;
    return;
  }
  EXPECT_NEAR(got, want, 1e-12 + 1e-10 * std::abs(want)) << where;
}

TEST(Parity, EveryOpMatchesPyTorch) {
  for (const auto& [name, row] : parity_rows()) {
    auto it = all_fixtures().find(name);
    SCOPED_TRACE(name);
    const Tensors got = row->fn(it->second.inputs);
    const Tensors& want = it->second.outputs;
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].dtype(), want[i].dtype()) << "output " << i;
      ASSERT_EQ(got[i].sizes().vec(), want[i].sizes().vec()) << "output " << i;
      const auto g = got[i].to_vector<double>(), w = want[i].to_vector<double>();
      for (size_t k = 0; k < g.size(); ++k)
        expect_value(g[k], w[k], "output " + std::to_string(i) + " element " + std::to_string(k));
    }
  }
}

// Backward parity: each float64 input requires grad; autograd::grad of the
// first output with PyTorch's cotangent must give PyTorch's gradients.
TEST(Parity, EveryGradientMatchesPyTorch) {
  int checked = 0;
  for (const auto& [name, row] : parity_rows()) {
    auto it = all_fixtures().find(name);
    if (!it->second.cotangent.defined()) continue;
    SCOPED_TRACE(name);
    Tensors inputs, wrt;
    for (const Tensor& t : it->second.inputs) {
      inputs.push_back(t.dtype() == kFloat64 ? t.clone().requires_grad_() : t);
      if (t.dtype() == kFloat64) wrt.push_back(inputs.back());
    }
    const Tensor out = row->fn(inputs)[0];
    Tensors got(wrt.size());
    if (out.requires_grad()) got = autograd::grad({out}, wrt, {it->second.cotangent}, {}, false, true);
    ASSERT_EQ(got.size(), it->second.grads.size());
    for (size_t i = 0; i < got.size(); ++i) {
      const Tensor& want = it->second.grads[i];
      const Tensor g = got[i].defined() ? got[i] : zeros_like(want);
      ASSERT_EQ(g.sizes().vec(), want.sizes().vec()) << "gradient " << i;
      const auto gv = g.to_vector<double>(), wv = want.to_vector<double>();
      for (size_t k = 0; k < gv.size(); ++k)
        expect_value(gv[k], wv[k], "gradient " + std::to_string(i) + " element " + std::to_string(k));
    }
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

// Autograd semantics: accumulation, grad modes, graph freeing, hooks,
// retain_grad, in-place safety, anomaly mode, autograd::grad, double backward,
// and the error messages of misuse. Values are checked by hand.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

using namespace ember;
using ::testing::HasSubstr;

namespace {

#define EXPECT_ERROR(stmt, text) EXPECT_THAT([&] { stmt; }, ::testing::ThrowsMessage<Error>(HasSubstr(text)))

std::vector<double> values(const Tensor& t) { return t.to(kFloat64).to_vector<double>(); }

Tensor leaf(std::vector<double> v) { return tensor(v, {.dtype = kFloat64}).requires_grad_(); }

TEST(Autograd, ScalarBackwardAndAccumulation) {
  Tensor x = leaf({1.0, 2.0, 3.0});
  EXPECT_TRUE(x.is_leaf());
  EXPECT_FALSE(x.grad().defined());
  Tensor y = (x * x).sum();
  EXPECT_FALSE(y.is_leaf());
  EXPECT_EQ(y.grad_fn()->name(), "SumBackward");
  y.backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{2, 4, 6}));
  (x * 3).sum().backward();  // gradients accumulate
  EXPECT_EQ(values(x.grad()), (std::vector<double>{5, 7, 9}));
  x.mutable_grad().zero_();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{0, 0, 0}));
  x.set_grad(Tensor());
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, NodeNames) {
  Tensor x = leaf({1.0, 2.0});
  EXPECT_EQ((x * 2).grad_fn()->name(), "MulBackward");
  EXPECT_EQ(x.exp().grad_fn()->name(), "ExpBackward");
  EXPECT_EQ(logsumexp(x, {0}).grad_fn()->op(), std::string("add"));
  EXPECT_EQ(x.unsqueeze(0).grad_fn()->name(), "UnsqueezeBackward");
  Tensor y = x * 2;
  y.add_(1);
  EXPECT_EQ(y.grad_fn()->name(), "AddBackward");
}

TEST(Autograd, BroadcastGradientsAreSummedToInputShape) {
  Tensor a = tensor({{1.0}, {2.0}, {3.0}}, {.dtype = kFloat64}).requires_grad_();  // (3, 1)
  Tensor b = leaf({10.0, 20.0, 30.0, 40.0});                                       // (4)
  (a * b).sum().backward();
  EXPECT_EQ(a.grad().sizes(), (Shape{3, 1}));
  EXPECT_EQ(values(a.grad()), (std::vector<double>{100, 100, 100}));
  EXPECT_EQ(values(b.grad()), (std::vector<double>{6, 6, 6, 6}));
}

TEST(Autograd, GradientTakesTheInputsDtype) {
  Tensor a = tensor({1.0f, 2.0f}).requires_grad_();  // float32
  Tensor b = tensor({3.0, 4.0}, {.dtype = kFloat64});
  Tensor y = (a * b).sum();
  EXPECT_EQ(y.dtype(), kFloat64);
  y.backward();
  EXPECT_EQ(a.grad().dtype(), kFloat32);
  EXPECT_EQ(values(a.grad()), (std::vector<double>{3, 4}));
}

TEST(Autograd, SeveralViewsOfOneBase) {
  Tensor x = leaf({1, 2, 3, 4, 5, 6});
  Tensor m = x.view({2, 3});
  Tensor y = (m[0] * m[1]).sum() + m.t().select(0, 2).sum();  // rows 0 and 1, and column 2
  y.backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{4, 5, 7, 1, 2, 4}));
}

TEST(Autograd, NonScalarNeedsAGradient) {
  Tensor x = leaf({1.0, 2.0});
  Tensor y = x * 2;
  EXPECT_ERROR(y.backward(), "backward: a gradient can be implied only for one-element outputs");
  EXPECT_ERROR(y.backward(ones({3}, {.dtype = kFloat64})), "backward: gradient 0 has shape [3] but the output has shape [2]");
  y.backward(tensor({1.0, 10.0}, {.dtype = kFloat64}));
  EXPECT_EQ(values(x.grad()), (std::vector<double>{2, 20}));
}

TEST(Autograd, BackwardOnTensorWithoutGrad) {
  Tensor x = tensor({1.0, 2.0});
  EXPECT_ERROR(x.sum().backward(), "does not require grad and has no grad_fn");
}

TEST(Autograd, SecondBackwardNeedsRetainGraph) {
  Tensor x = leaf({1.0, 2.0});
  Tensor y = (x.exp() * x).sum();
  y.backward({}, true);
  y.backward();  // allowed: the first call retained the graph
  EXPECT_NEAR(values(x.grad())[0], 2 * 2 * std::exp(1.0), 1e-12);
  EXPECT_ERROR(y.backward(), "trying to backward through the graph a second time");
}

TEST(Autograd, GradFunction) {
  Tensor x = leaf({1.0, 2.0});
  Tensor w = leaf({3.0, 4.0});
  Tensor unused = leaf({0.0});
  Tensor y = (x * w).sum();
  auto g = autograd::grad({y}, {x, w}, {}, true);
  EXPECT_EQ(values(g[0]), (std::vector<double>{3, 4}));
  EXPECT_EQ(values(g[1]), (std::vector<double>{1, 2}));
  EXPECT_FALSE(x.grad().defined());  // grad() leaves .grad alone
  EXPECT_ERROR(autograd::grad({y}, {unused}, {}, true), "grad: input 0 (shape [1]) was not used");
  auto u = autograd::grad({y}, {x, unused}, {}, true, false, true);
  EXPECT_TRUE(u[0].defined());
  EXPECT_FALSE(u[1].defined());
  EXPECT_ERROR(autograd::grad({y}, {tensor({1.0})}), "grad: input 0 (shape [1]) does not require grad");
}

TEST(Autograd, GradOfAnIntermediateTensor) {
  Tensor x = leaf({1.0, 2.0});
  Tensor h = x * 3;
  Tensor y = (h * h).sum();
  auto g = autograd::grad({y}, {h});
  EXPECT_EQ(values(g[0]), (std::vector<double>{6, 12}));
}

TEST(Autograd, DoubleBackward) {
  Tensor x = leaf({2.0});
  Tensor y = x * x * x;  // y' = 3x^2, y'' = 6x
  Tensor dy = autograd::grad({y}, {x}, {}, {}, true)[0];
  EXPECT_TRUE(dy.requires_grad());
  EXPECT_DOUBLE_EQ(dy.item<double>(), 12.0);
  dy.backward();
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 12.0);
  // Through a saved output (tanh saves y): d2/dx2 tanh = -2 tanh (1 - tanh^2)
  Tensor z = leaf({0.5});
  Tensor dz = autograd::grad({z.tanh()}, {z}, {}, {}, true)[0];
  const double t = std::tanh(0.5);
  EXPECT_NEAR(autograd::grad({dz}, {z})[0].item<double>(), -2 * t * (1 - t * t), 1e-12);
}

TEST(Autograd, NoGradAndEnableGrad) {
  Tensor x = leaf({1.0});
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(is_grad_enabled());
    EXPECT_FALSE((x * 2).requires_grad());
    {
      EnableGradGuard enable;
      EXPECT_TRUE((x * 2).requires_grad());
    }
  }
  EXPECT_TRUE(is_grad_enabled());
  set_grad_enabled(false);
  EXPECT_FALSE((x * 2).requires_grad());
  set_grad_enabled(true);
  // Thread-local: another thread still records.
  NoGradGuard no_grad;
  bool other = false;
  std::thread([&] { other = (x * 2).requires_grad(); }).join();
  EXPECT_TRUE(other);
}

TEST(Autograd, InferenceMode) {
  Tensor x = leaf({1.0});
  Tensor y;
  {
    InferenceMode guard;
    EXPECT_TRUE(is_inference_mode_enabled());
    y = x * 2;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_inference());
  }
  EXPECT_FALSE(x.is_inference());
  EXPECT_ERROR(y.requires_grad_(), "an inference tensor (made inside InferenceMode) cannot require grad");
}

TEST(Autograd, NonDifferentiableOutputs) {
  Tensor x = leaf({1.0, -2.0, 3.0});
  EXPECT_FALSE((x > 0).requires_grad());
  EXPECT_FALSE(x.argmax().requires_grad());
  EXPECT_FALSE(x.max(0).second.requires_grad());
  EXPECT_FALSE(x.to(kInt64).requires_grad());
  EXPECT_ERROR(tensor({1, 2}).requires_grad_(), "only floating-point tensors can require gradients, got int64");
  EXPECT_ERROR((x * 2).requires_grad_(false), "only leaf tensors can change requires_grad");
}

TEST(Autograd, DetachAndDetachInPlace) {
  Tensor x = leaf({1.0, 2.0});
  Tensor d = x.detach();
  EXPECT_FALSE(d.requires_grad());
  d.mul_(10);  // shares data
  EXPECT_EQ(values(x), (std::vector<double>{10, 20}));
  Tensor y = x * 2;
  y.detach_();
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(y.is_leaf());
}

TEST(Autograd, ModifiedSavedTensorIsAnError) {
  Tensor x = leaf({1.0, 2.0});
  Tensor y = x.exp();  // exp saves its output
  Tensor z = y * 1;
  y.add_(1);
  EXPECT_ERROR(y.sum().backward({}, true), "");  // y's own history is fine
  Tensor w = x * 1;
  Tensor e = w.exp();
  w.mul_(2);  // exp does not save its input: fine
  e.sum().backward();
  Tensor v = x * 1;
  Tensor s = v.sin();  // sin saves its input
  v.add_(1);
  EXPECT_ERROR(s.sum().backward(), "SinBackward: one of the tensors needed for gradient computation (shape [2]) has "
                                   "been modified by an in-place operation: it was saved at version 0 and is now at "
                                   "version 1");
}

TEST(Autograd, InPlaceOnLeafOrViewIsAnError) {
  Tensor x = leaf({1.0, 2.0});
  EXPECT_ERROR(x.add_(1), "add_: a leaf tensor that requires grad (shape [2]) is being used in an in-place operation");
  {
    NoGradGuard no_grad;
    x.add_(1);  // the optimizer's way
  }
  EXPECT_EQ(values(x), (std::vector<double>{2, 3}));
  EXPECT_ERROR(x[0].mul_(2), "mul_: a view (shape []) of a leaf tensor that requires grad (shape [2]) is being used "
                             "in an in-place operation");
  Tensor y = x * 1;
  EXPECT_ERROR(y.unsqueeze(0).expand({3, 2}).add_(1),
               "add_: unsupported operation: more than one element of the written-to tensor (shape [3, 2], strides "
               "[0, 1]) refers to a single memory location");
}

// In-place ops through views of non-leaf tensors (PyTorch's CopySlices; the
// gradients are checked against PyTorch by the op table's inplace_* rows).
TEST(Autograd, InPlaceThroughAViewRewritesTheBase) {
  Tensor x = leaf({1.0, 2.0, 3.0});
  Tensor y = x * 2;
  y[1].mul_(5);  // y = (2, 20, 6) * x / x
  EXPECT_EQ(values(y), (std::vector<double>{2, 20, 6}));
  EXPECT_EQ(y.grad_fn()->name(), "CopySlicesBackward");
  y.sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{2, 10, 2}));
  // A buffer that did not require grad joins the graph through the rows written into it.
  Tensor buffer = zeros({3}, {.dtype = kFloat64});
  const Tensor row = buffer[2];  // taken before: it follows the buffer's new history
  buffer[0].copy_(x[0] * 4);
  buffer[2].copy_(x[2] * x[2]);
  EXPECT_TRUE(buffer.requires_grad());
  EXPECT_TRUE(row.requires_grad());
  x.set_grad(Tensor());
  (buffer.sum() + row * 10).backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{4, 0, 66}));  // d/dx2 of 11 x2^2 = 22 x2
}

TEST(Autograd, InPlaceThroughAViewKeepsSavedTensorChecks) {
  Tensor x = leaf({1.0, 2.0, 3.0});
  Tensor y = x * 1;
  const Tensor first = y[0];
  const Tensor s = first.sin();  // saves `first`
  y[1].mul_(2);                  // a write to the same storage
  EXPECT_ERROR(s.backward(), "has been modified by an in-place operation");
}

TEST(Autograd, InPlaceThroughAViewWithItsOwnBaseLeaksNothing) {
  const int64_t before = Node::live_count();
  {
    Tensor x = leaf({1.0, 2.0, 3.0});
    Tensor y = x * 1;
    y[1].mul_(y[0]);  // the node saves a view of y, whose history then holds the node
    EXPECT_GT(Node::live_count(), before);
  }
  EXPECT_LE(Node::live_count(), before);
}

TEST(Autograd, InPlaceOnNonLeafRewritesHistory) {
  Tensor x = leaf({1.0, 2.0});
  Tensor y = x * 3;
  y.relu_();
  y.mul_(x);  // y = relu(3x) * x
  y.sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{6, 12}));
  // A plain tensor written from one that requires grad joins the graph.
  Tensor buffer = zeros({2}, {.dtype = kFloat64});
  buffer.copy_(x * 5);
  EXPECT_TRUE(buffer.requires_grad());
  buffer.sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{11, 17}));
}

TEST(Autograd, Hooks) {
  Tensor x = leaf({1.0, 2.0});
  int calls = 0;
  x.register_hook([&](const Tensor& g) {
    ++calls;
    return g * 10;
  });
  Tensor h = x * 2;
  Tensor seen;
  h.register_hook([&](const Tensor& g) {
    seen = g.clone();
    return Tensor();  // keep the gradient as is
  });
  (h * h).sum().backward();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(values(seen), (std::vector<double>{4, 8}));
  EXPECT_EQ(values(x.grad()), (std::vector<double>{80, 160}));
  EXPECT_ERROR(tensor({1.0}).register_hook([](const Tensor& g) { return g; }), "register_hook: cannot register a hook");
}

TEST(Autograd, RetainGrad) {
  Tensor x = leaf({1.0, 2.0});
  Tensor h = x * 2;
  h.retain_grad();
  EXPECT_TRUE(h.retains_grad());
  Tensor other = x * 3;
  (h * h + other).sum().backward();
  EXPECT_EQ(values(h.grad()), (std::vector<double>{4, 8}));
  EXPECT_FALSE(other.grad().defined());
}

TEST(Autograd, AnomalyModeNamesTheNode) {
  Tensor x = leaf({0.0, 1.0});
  autograd::DetectAnomalyGuard anomaly;
  EXPECT_TRUE(autograd::is_anomaly_enabled());
  EXPECT_ERROR(x.sqrt().sum().backward(), "anomaly detected: SqrtBackward returned NaN or Inf values in its gradient "
                                          "for input 0 (the forward op was 'sqrt')");
}

TEST(Autograd, GraphIsFreedWithoutCycles) {
  const int64_t before = Node::live_count();
  Tensor w1 = randn({8, 16}, {.dtype = kFloat64}).requires_grad_();
  Tensor w2 = randn({16, 4}, {.dtype = kFloat64}).requires_grad_();
  Tensor x = randn({5, 8}, {.dtype = kFloat64});
  for (int step = 0; step < 10000; ++step) {
    Tensor loss = (x.matmul(w1).tanh().matmul(w2).sigmoid() - 0.5).square().mean();
    loss.backward();
  }
  // Only the two leaves' AccumulateGrad nodes may be alive (held weakly by the leaves, so not even those).
  EXPECT_LE(Node::live_count(), before);
  {
    Tensor y = x.matmul(w1).exp();
    EXPECT_GT(Node::live_count(), before);
  }
  EXPECT_LE(Node::live_count(), before);
}

TEST(Autograd, LongChainsBackwardAndFreeWithoutDeepRecursion) {
  Tensor x = leaf({1.0});
  Tensor h = x;
  for (int i = 0; i < 100000; ++i) h = h * 1.0;
  h.backward();
  EXPECT_EQ(x.grad().item<double>(), 1.0);
  Tensor keep = x;
  for (int i = 0; i < 100000; ++i) keep = keep + 0.0;
  keep = Tensor();  // frees a 100,000-node chain
}

// ---- edge cases (each once got a wrong or missing gradient) ----------------------

// A view taken before an in-place op on its base follows the base's new
// history (PyTorch's views regenerate their grad_fn the same way).
TEST(AutogradEdges, InPlaceOnATensorWithLiveViewsRefreshesThem) {
  Tensor a = leaf({1.0, 2.0, 3.0});
  Tensor y = a * 2;
  const Tensor v = y.select(0, 0);
  y.mul_(3);
  EXPECT_EQ(v.item<double>(), 6.0);
  (y.sum() + v).backward();
  EXPECT_EQ(values(a.grad()), (std::vector<double>{12, 6, 6}));
}

TEST(AutogradEdges, CreateGraphAccumulationKeepsGradientsApart) {
  Tensor x = leaf({1.0, 2.0});
  x.sum().backward({}, {}, true);
  x.sum().backward();  // accumulating into a grad made under create_graph
  EXPECT_EQ(values(x.grad()), (std::vector<double>{2, 2}));
  Tensor a = leaf({1.0}), b = leaf({1.0});
  Tensor seed = tensor({5.0}, {.dtype = kFloat64});
  (a + b).backward(seed, {}, true);
  a.mutable_grad().zero_();
  EXPECT_EQ(values(b.grad()), (std::vector<double>{5}));
  EXPECT_EQ(values(seed), (std::vector<double>{5}));
}

TEST(AutogradEdges, AsStridedOverAnExpandedInput) {
  Tensor x = leaf({1.0, 2.0, 3.0});
  x.expand({3, 3}).as_strided({3}, {1}).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{1, 1, 1}));
}

TEST(AutogradEdges, HooksOutliveTheTensorHandle) {
  Tensor x = leaf({1.0, 2.0});
  Tensor loss;
  {
    Tensor h = x * 2;
    h.register_hook([](const Tensor& g) { return g * 0; });
    loss = h.sum();
  }
  loss.backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{0, 0}));
}

TEST(AutogradEdges, RetainGradFollowsInPlaceOps) {
  Tensor x = leaf({1.0, 2.0});
  Tensor h = x * 2;
  h.retain_grad();
  h.mul_(3);
  h.sum().backward();
  EXPECT_EQ(values(h.grad()), (std::vector<double>{1, 1}));
  EXPECT_EQ(values(x.grad()), (std::vector<double>{6, 6}));
}

TEST(AutogradEdges, MaskedRulesGiveZeroNotNaN) {
  Tensor x = leaf({-1.0, 4.0});
  sqrt(relu(x)).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{0, 0.25}));
  Tensor y = leaf({-1.0, 4.0});
  sqrt(clamp(y, 0.0)).sum().backward();
  EXPECT_EQ(values(y.grad()), (std::vector<double>{0, 0.25}));
  Tensor z = leaf({0.0, 2.0});
  pow(z, 0).sum().backward();
  EXPECT_EQ(values(z.grad()), (std::vector<double>{0, 0}));
  Tensor c = leaf({1.0, 1.0, 1.0});
  c.std().backward();
  EXPECT_EQ(values(c.grad()), (std::vector<double>{0, 0, 0}));
  Tensor n = leaf({0.0, 1.0});
  norm(n, 1.5).backward();
  EXPECT_EQ(values(n.grad()), (std::vector<double>{0, 1}));
}

TEST(AutogradEdges, ReentrantBackwardIsAnError) {
  Tensor x = leaf({1.0});
  Tensor w = leaf({2.0});
  Tensor h = x * 2;
  h.register_hook([&](const Tensor& g) {
    EnableGradGuard enable;  // backward runs hooks with grad mode off
    autograd::grad({(w * w).sum()}, {w});
    return g;
  });
  EXPECT_ERROR(h.sum().backward(), "a backward pass was started from inside another one");
}

TEST(AutogradEdges, ZeroDimReductionsWithADim) {
  Tensor s = scalar_tensor(3.0, {.dtype = kFloat64}).requires_grad_();
  sum(s, {0}).backward();
  mean(s, {0}).backward();
  max(s, 0).first.backward();
  EXPECT_EQ(s.grad().item<double>(), 3.0);
}

TEST(AutogradEdges, GradRunsTheInputsHooks) {
  Tensor x = leaf({1.0});
  x.register_hook([](const Tensor& g) { return g * 2; });
  EXPECT_EQ(autograd::grad({(x * 3).sum()}, {x})[0].item<double>(), 6.0);
}

TEST(AutogradEdges, EmptyResultsStillRecord) {
  Tensor x = leaf({});
  EXPECT_TRUE(cumsum(x, 0).requires_grad());
  Tensor y = leaf({1.0, 2.0});
  Tensor r = y.repeat({0});
  EXPECT_TRUE(r.requires_grad());
  r.sum().backward();
  EXPECT_EQ(values(y.grad()), (std::vector<double>{0, 0}));
}

TEST(AutogradEdges, InPlaceWithItselfAsOperand) {
  Tensor x = leaf({3.0});
  Tensor y = x * 1;
  y.mul_(y);  // y = x^2
  y.backward();
  EXPECT_EQ(x.grad().item<double>(), 6.0);
}

TEST(AutogradEdges, LeafStoppedRequiringGrad) {
  Tensor x = leaf({1.0});
  Tensor y = (x * 2).sum();
  x.requires_grad_(false);
  y.backward();
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, Gradcheck) {
  Tensor x = randn({3}, {.dtype = kFloat64}).requires_grad_();
  EXPECT_TRUE(autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0].exp() * in[0]; }, {x}));
  // A wrong rule is caught: detaching part of the function hides a term.
  EXPECT_ERROR(autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0] * in[0].detach(); }, {x}),
               "gradcheck: Jacobian mismatch for input 0");
  EXPECT_ERROR(autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0] * 2; },
                                   {randn({2}).requires_grad_()}),
               "finite differences need float64 inputs");
  EXPECT_TRUE(autograd::gradgradcheck([](const std::vector<Tensor>& in) { return in[0].sin() * in[0]; }, {x}));
}

}  // namespace

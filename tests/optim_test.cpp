// Optimizers: 25-step trajectories against PyTorch's (tests/golden/optim.txt,
// float64, 1e-10 relative), state-dict save/resume, and the bad-input errors.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "fixture_format.h"

using namespace ember;
using ::testing::HasSubstr;

namespace {

#define EXPECT_ERROR(stmt, text) EXPECT_THAT([&] { stmt; }, ::testing::ThrowsMessage<Error>(HasSubstr(text)))

struct Golden {
  std::map<std::string, Tensor> data, init;
  std::map<std::string, std::map<std::string, Tensor>> finals;
  std::map<std::string, std::vector<double>> schedules;
  std::map<std::string, std::map<std::string, Tensor>> averaged;  // "swa" / "ema" -> parameter -> value
};

const Golden& golden() {
  static const Golden g = [] {
    Golden out;
    std::ifstream file(EMBER_GOLDEN_DIR "/optim.txt");
    std::string current;
    for (std::string line; std::getline(file, line);) {
      std::istringstream in(line);
      std::string kind, name;
      in >> kind;
      if (kind == "data" || kind == "init" || kind == "final") {
        in >> name;
        Tensor t = fixtures::parse_tensor(in);
        (kind == "data" ? out.data : kind == "init" ? out.init : out.finals[current])[name] = t;
      } else if (kind == "case") {
        in >> current;
      } else if (kind == "averaged") {
        std::string label;
        in >> label >> name;
        out.averaged[label][name] = fixtures::parse_tensor(in);
      } else if (kind == "schedule") {
        in >> name;
        for (double v; in >> v;) out.schedules[name].push_back(v);
      }
    }
    return out;
  }();
  return g;
}

nn::Sequential make_model() {
  nn::Sequential model(nn::Linear(4, 8), nn::Tanh(), nn::Linear(8, 3));
  model.to(kFloat64);
  nn::StateDict init;
  for (const auto& [k, v] : golden().init) init.push_back({k, v});
  model.load_state_dict(init);
  return model;
}

using Factory = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>;

template <class O, class Opt>
Factory make(Opt options) {
  return [options](std::vector<Tensor> p) { return std::make_unique<O>(std::move(p), options); };
}

// THE optimizer table: one row per case of make_optim_fixtures.py.
const std::map<std::string, Factory>& optimizers() {
  using namespace optim;
  static const std::map<std::string, Factory> table = {
      {"sgd", make<SGD>(SGDOptions{.lr = 0.1})},
      {"sgd_momentum_dampening_wd",
       make<SGD>(SGDOptions{.lr = 0.05, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01})},
      {"sgd_nesterov_maximize", make<SGD>(SGDOptions{.lr = 0.05, .momentum = 0.8, .nesterov = true, .maximize = true})},
      {"sgd_groups",
       [](std::vector<Tensor> p) {
         auto o = std::make_unique<SGD>(std::vector<Tensor>(p.begin(), p.begin() + 2), SGDOptions{.lr = 0.1});
         o->add_param_group({p.begin() + 2, p.end()}, {{"lr", 0.01}, {"momentum", 0.5}});
         return std::unique_ptr<Optimizer>(std::move(o));
       }},
      {"adam", make<Adam>(AdamOptions{.lr = 0.01})},
      {"adam_amsgrad_wd", make<Adam>(AdamOptions{.lr = 0.02, .beta1 = 0.8, .beta2 = 0.99, .eps = 1e-6,
                                                  .weight_decay = 0.1, .amsgrad = true})},
      {"adam_maximize", make<Adam>(AdamOptions{.lr = 0.01, .maximize = true})},
      {"adamw", make<AdamW>(AdamOptions{.lr = 0.01, .weight_decay = 0.01})},
      {"adamw_amsgrad", make<AdamW>(AdamOptions{.lr = 0.02, .weight_decay = 0.3, .amsgrad = true})},
      {"rmsprop", make<RMSprop>(RMSpropOptions{.lr = 0.01})},
      {"rmsprop_centered_momentum_wd", make<RMSprop>(RMSpropOptions{.lr = 0.005, .alpha = 0.9, .weight_decay = 0.05,
                                                                    .momentum = 0.7, .centered = true})},
      {"adagrad", make<Adagrad>(AdagradOptions{.lr = 0.1})},
      {"adagrad_decay_init", make<Adagrad>(AdagradOptions{.lr = 0.1, .lr_decay = 0.01, .weight_decay = 0.01,
                                                          .initial_accumulator_value = 0.5, .eps = 1e-8})},
      {"adadelta", make<Adadelta>(AdadeltaOptions{.lr = 1.0})},
      {"adadelta_wd", make<Adadelta>(AdadeltaOptions{.lr = 0.5, .rho = 0.8, .eps = 1e-5, .weight_decay = 0.1})},
      {"nadam", make<NAdam>(NAdamOptions{.lr = 0.01})},
      {"nadam_wd", make<NAdam>(NAdamOptions{.lr = 0.02, .beta1 = 0.85, .beta2 = 0.98, .weight_decay = 0.05,
                                            .momentum_decay = 0.01})},
      {"radam", make<RAdam>(RAdamOptions{.lr = 0.01})},
      {"radam_wd", make<RAdam>(RAdamOptions{.lr = 0.02, .beta1 = 0.7, .beta2 = 0.9, .weight_decay = 0.05})},
      {"rprop", make<Rprop>(RpropOptions{.lr = 0.01})},
      {"rprop_etas_sizes_maximize", make<Rprop>(RpropOptions{.lr = 0.05, .etaminus = 0.3, .etaplus = 1.5,
                                                             .step_size_min = 1e-3, .step_size_max = 0.08,
                                                             .maximize = true})},
      {"asgd", make<ASGD>(ASGDOptions{.lr = 0.05})},
      {"lbfgs", make<LBFGS>(LBFGSOptions{.lr = 0.5, .max_iter = 4})},
      {"lbfgs_strong_wolfe_history",
       make<LBFGS>(LBFGSOptions{.lr = 1, .max_iter = 6, .history_size = 5, .line_search_fn = "strong_wolfe"})},
      {"asgd_averaging_wd",
       make<ASGD>(ASGDOptions{.lr = 0.1, .lambd = 1e-3, .alpha = 0.6, .t0 = 10, .weight_decay = 0.02})},
  };
  return table;
}

// One step through the closure form (which L-BFGS needs; the others evaluate it once, then step).
void train_step(nn::Module& model, optim::Optimizer& opt) {
  opt.step([&] {
    opt.zero_grad();
    Tensor loss = F::mse_loss(model(golden().data.at("x")), golden().data.at("y"));
    loss.backward();
    return loss;
  });
}

class Trajectory : public ::testing::TestWithParam<std::string> {};

// As make_optim_fixtures.py's STEPS: an L-BFGS step is several iterations, whose
// float64 rounding differences from PyTorch's grow past 1e-10 after ~40 of them.
int steps_of(const std::string& name) { return name.rfind("lbfgs", 0) == 0 ? 5 : 25; }

TEST_P(Trajectory, MatchesPyTorch) {
  const std::string& name = GetParam();
  ASSERT_TRUE(golden().finals.count(name)) << name << " has no fixture";
  auto model = make_model();
  auto opt = optimizers().at(name)(model.parameters());
  for (int i = 0; i < steps_of(name); ++i) train_step(model, *opt);
  for (auto& [key, p] : model.named_parameters())
    EXPECT_EQ(fixtures::compare(p, golden().finals.at(name).at(key), 1e-13, 1e-10), "") << key;
}

TEST_P(Trajectory, SaveAndResumeContinuesExactly) {
  const std::string& name = GetParam();
  auto straight = make_model();
  auto opt = optimizers().at(name)(straight.parameters());
  for (int i = 0; i < 25; ++i) train_step(straight, *opt);

  auto first = make_model();
  auto opt1 = optimizers().at(name)(first.parameters());
  for (int i = 0; i < 10; ++i) train_step(first, *opt1);
  const auto dir = std::filesystem::temp_directory_path();
  const std::string path = (dir / ("ember_optim_" + name + std::to_string(::getpid()) + ".safetensors")).string();
  const optim::OptimizerState saved = opt1->state_dict();
  save(saved.tensors, path, saved.scalars);
  Metadata scalars;
  const nn::StateDict tensors = load(path, &scalars);
  std::filesystem::remove(path);

  auto resumed = make_model();
  resumed.load_state_dict(first.state_dict());
  auto opt2 = optimizers().at(name)(resumed.parameters());
  opt2->load_state_dict({tensors, scalars});
  for (int i = 10; i < 25; ++i) train_step(resumed, *opt2);
  auto a = straight.named_parameters(), b = resumed.named_parameters();
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(fixtures::compare(b[i].second, a[i].second, 0, 0), "") << a[i].first;  // bitwise
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : optimizers()) out.push_back(k);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Optimizers, Trajectory, ::testing::ValuesIn(names()),
                         [](const auto& info) { return info.param; });

TEST(WeightAveraging, SwaAndEmaMatchPyTorch) {
  auto model = make_model();
  optim::SGD opt(model.parameters(), {.lr = 0.05, .momentum = 0.9});
  optim::AveragedModel swa(model, std::make_shared<nn::Sequential>(make_model()));
  optim::AveragedModel ema(model, std::make_shared<nn::Sequential>(make_model()), {.avg_fn = optim::ema_average(0.9)});
  for (int step = 0; step < 25; ++step) {
    train_step(model, opt);
    if (step >= 10) swa.update_parameters(model);
    ema.update_parameters(model);
  }
  EXPECT_EQ(swa.n_averaged.item<int64_t>(), 15);
  for (auto& [label, averaged] : {std::pair<std::string, nn::Module*>{"swa", &swa}, {"ema", &ema}}) {
    const auto& want = golden().averaged.at(label);
    const auto params = averaged->named_parameters();
    ASSERT_EQ(params.size(), want.size()) << label;
    for (const auto& [key, p] : params) {
      ASSERT_TRUE(want.count(key)) << label << " " << key;
      EXPECT_EQ(fixtures::compare(p, want.at(key), 1e-13, 1e-10), "") << label << " " << key;
    }
  }
  // The average runs the copy; the state dict is PyTorch's (module.*, n_averaged).
  EXPECT_EQ(swa(golden().data.at("x")).sizes(), (Shape{16, 3}));
  EXPECT_EQ(swa.state_dict().front().first, "n_averaged");
  EXPECT_THROW(optim::AveragedModel(model, std::make_shared<nn::Linear>(4, 3)), Error);  // not the same architecture
}

TEST(WeightAveraging, UpdateBnIsTheCumulativeAverageOverTheBatches) {
  manual_seed(3);
  nn::Sequential net(nn::Linear(3, 4), nn::BatchNorm1d(4, 1e-5, 0.3));
  net.eval();
  std::vector<Tensor> batches{randn({5, 3}), randn({5, 3}), randn({5, 3})};
  optim::update_bn(batches, net);
  auto& bn = net.at<nn::BatchNorm1d>(1);
  Tensor mean_sum = zeros({4}), var_sum = zeros({4});
  for (const Tensor& b : batches) {
    const Tensor h = net.at<nn::Linear>(0)(b).detach();
    mean_sum = mean_sum + h.mean({0});
    var_sum = var_sum + h.var({0});  // unbiased, as the running variance
  }
  EXPECT_LT((bn.running_mean - mean_sum / 3).abs().max().item<float>(), 1e-5);
  EXPECT_LT((bn.running_var - var_sum / 3).abs().max().item<float>(), 1e-5);
  EXPECT_EQ(bn.momentum(), 0.3);         // restored
  EXPECT_FALSE(net.is_training());       // restored
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 3);
}

// On a convex quadratic L-BFGS reaches the minimum in a few iterations (with
// the strong-Wolfe search, the exact line minimum along each direction).
TEST(LBFGS, MinimisesAQuadraticAndNeedsAClosure) {
  const Tensor a = tensor({{4.0, 1.0}, {1.0, 3.0}}, {.dtype = kFloat64});
  const Tensor b = tensor({1.0, 2.0}, {.dtype = kFloat64});
  for (const char* search : {"", "strong_wolfe"}) {
    SCOPED_TRACE(search);
    Tensor x = nn::parameter(zeros({2}, {.dtype = kFloat64}));
    optim::LBFGS opt({x}, {.lr = 1, .max_iter = 50, .tolerance_grad = 1e-12, .tolerance_change = 1e-14,
                           .line_search_fn = search});
    const auto closure = [&] {
      opt.zero_grad();
      Tensor loss = 0.5 * dot(x, matmul(a, x)) - dot(b, x);
      loss.backward();
      return loss;
    };
    opt.step(closure);
    const Tensor solution = tensor({1.0 / 11, 7.0 / 11}, {.dtype = kFloat64});  // a x = b
    EXPECT_LT((x - solution).abs().max().item<double>(), 1e-8);
    EXPECT_GE(opt.state_dict().scalars.at("state.0.func_evals"), "2");
    EXPECT_ERROR(opt.step(), "LBFGS: step() needs a closure");
  }
  Tensor w = nn::parameter(zeros({2}));
  EXPECT_ERROR(optim::LBFGS({w}, {.line_search_fn = "backtracking"}),
               "LBFGS: line_search_fn must be empty or 'strong_wolfe', got 'backtracking'");
  optim::LBFGS two({w});
  two.add_param_group({nn::parameter(zeros({1}))});
  EXPECT_ERROR(two.step([] { return scalar_tensor(1.0); }), "LBFGS: doesn't support per-parameter options (parameter groups), got 2 groups");
}

TEST(OptimizerTable, EveryFixtureHasARow) {
  for (const auto& [name, f] : golden().finals) EXPECT_TRUE(optimizers().count(name)) << name;
}

TEST(Optimizer, BadInput) {
  using namespace optim;
  Tensor w = nn::parameter(zeros({2}));
  EXPECT_ERROR(SGD({w}, {.lr = -1}), "SGD: invalid learning rate: -1");
  EXPECT_ERROR(Adam({w}, {.beta1 = 1.0}), "Adam: invalid beta parameter at index 0: 1");
  EXPECT_ERROR(AdamW({w}, {.beta2 = -0.1}), "AdamW: invalid beta parameter at index 1: -0.1");
  EXPECT_ERROR(Adam({w}, {.eps = -1e-8}), "Adam: invalid epsilon value");
  EXPECT_ERROR(SGD({w, w}), "SGD: parameter 1 appears in more than one parameter group");
  SGD sgd({w});
  EXPECT_ERROR(sgd.add_param_group({w}), "appears in more than one parameter group");
  EXPECT_ERROR(sgd.add_param_group({nn::parameter(zeros({1}))}, {{"betas", 0.5}}), "SGD: unknown option 'betas'");
  EXPECT_ERROR(SGD({zeros({2})}), "SGD: parameter 0 (shape [2]) must be a leaf tensor that requires grad");
  EXPECT_ERROR(SGD({nn::parameter(zeros({2})) * 2}), "must be a leaf tensor that requires grad");
  EXPECT_ERROR(SGD({w}, {.momentum = 0, .nesterov = true}), "SGD: Nesterov momentum requires a momentum");
}

// A closure for the tests that set gradients themselves: the loss is a
// constant and the gradients stay as set (L-BFGS needs a closure; the others
// call it once and step).
Tensor fixed_loss() { return scalar_tensor(1.0, {.dtype = kFloat64}); }

// Every optimizer through one backend call per parameter: a strided (or
// float32) gradient lands on exactly the values of a contiguous one of the
// parameter's dtype.
TEST(Optimizer, StridedGradientsUpdateAsContiguousOnes) {
  for (const auto& [name, factory] : optimizers()) {
    if (name == "sgd_groups") continue;  // needs the table's five parameters
    SCOPED_TRACE(name);
    const Tensor init = randn({4, 3}, {.dtype = kFloat64}), grad = randn({3, 4}, {.dtype = kFloat64});
    Tensor plain = nn::parameter(init.clone()), strided = nn::parameter(init.clone());
    auto a = factory({plain});
    auto b = factory({strided});
    for (int step = 0; step < 3; ++step) {
      plain.set_grad(grad.t().contiguous() * (step + 1));
      strided.set_grad((grad * (step + 1)).t());
      ASSERT_FALSE(strided.grad().is_contiguous());
      a->step(fixed_loss);
      b->step(fixed_loss);
    }
    EXPECT_TRUE(equal(plain, strided));
    // (The strong-Wolfe search sees the constant loss: no step lowers it, so it stays.)
    if (name != "lbfgs_strong_wolfe_history") {
      EXPECT_FALSE(equal(plain, init));
    }
  }
}

// A strided parameter (a transposed view made a leaf, as a weight tied in
// transposed form) updates to exactly the values of a contiguous one.
TEST(Optimizer, StridedParametersUpdateAsContiguousOnes) {
  for (const auto& [name, factory] : optimizers()) {
    if (name == "sgd_groups") continue;
    SCOPED_TRACE(name);
    const Tensor init = randn({3, 4}, {.dtype = kFloat64}), grad = randn({4, 3}, {.dtype = kFloat64});
    Tensor plain = nn::parameter(init.t().contiguous()), strided = nn::parameter(init.clone().t());
    ASSERT_FALSE(strided.is_contiguous());
    auto a = factory({plain});
    auto b = factory({strided});
    for (int step = 0; step < 3; ++step) {
      plain.set_grad(grad * (step + 1));
      strided.set_grad(grad * (step + 1));
      a->step(fixed_loss);
      b->step(fixed_loss);
    }
    EXPECT_FALSE(strided.is_contiguous());  // updated in place, layout kept
    EXPECT_TRUE(equal(plain, strided));
    if (name != "lbfgs_strong_wolfe_history") {
      EXPECT_FALSE(equal(plain, init.t()));
    }
  }
}

TEST(Optimizer, ParametersOnTheMetaDeviceStepWithoutData) {
  Tensor w = nn::parameter(empty({5, 5}, {.device = kMeta}));
  w.set_grad(empty({5, 5}, {.device = kMeta}));
  for (const auto& [name, factory] : optimizers()) {
    // (L-BFGS decides from values: its tolerances and line search read the loss and gradients.)
    if (name == "sgd_groups" || name.rfind("lbfgs", 0) == 0) continue;
    SCOPED_TRACE(name);
    auto opt = factory({w});
    EXPECT_NO_THROW(opt->step());
    EXPECT_NO_THROW(opt->step());
  }
  Tensor host = nn::parameter(zeros({5, 5}));
  EXPECT_ERROR(host.set_grad(empty({5, 5}, {.device = kMeta})), "set_grad: gradient on meta for a tensor on cpu");
}

TEST(Optimizer, FailedLoadChangesNothing) {
  using namespace optim;
  Tensor a = nn::parameter(ones({3})), b = nn::parameter(ones({2}));
  Adam adam({a, b}, {.lr = 0.1});
  a.set_grad(ones({3}));
  b.set_grad(ones({2}));
  adam.step();
  const OptimizerState before = adam.state_dict();

  Tensor c = nn::parameter(ones({4}));
  Adam other({c, b}, {.lr = 0.5});
  other.param_groups()[0].params[0].set_grad(ones({4}));
  b.set_grad(ones({2}));
  other.step();
  EXPECT_ERROR(adam.load_state_dict(other.state_dict()), "load_state_dict: state.0.exp_avg has shape [4] but parameter 0 has shape [3]");
  Adam three({nn::parameter(ones({3})), nn::parameter(ones({2})), nn::parameter(ones({1}))});
  EXPECT_ERROR(adam.load_state_dict(three.state_dict()), "load_state_dict: group 0 has 3 parameters in the state but 2 here");
  SGD sgd({nn::parameter(ones({3})), nn::parameter(ones({2}))});
  EXPECT_ERROR(adam.load_state_dict(sgd.state_dict()), "load_state_dict: the state is for SGD, not Adam");
  const OptimizerState after = adam.state_dict();
  EXPECT_EQ(after.scalars, before.scalars);
  ASSERT_EQ(after.tensors.size(), before.tensors.size());
  for (size_t i = 0; i < after.tensors.size(); ++i)
    EXPECT_EQ(fixtures::compare(after.tensors[i].second, before.tensors[i].second, 0, 0), "");
}

TEST(Optimizer, SkipsParametersWithoutGradAndClosure) {
  Tensor a = nn::parameter(ones({2})), b = nn::parameter(ones({2}));
  optim::SGD sgd({a, b}, {.lr = 0.5});
  a.set_grad(ones({2}));
  sgd.step();
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{0.5f, 0.5f}));
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{1.0f, 1.0f}));
  const Tensor loss = sgd.step([&] {
    sgd.zero_grad();
    Tensor l = (b * b).sum();
    l.backward();
    return l;
  });
  EXPECT_EQ(loss.item<double>(), 2.0);
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{0.0f, 0.0f}));  // b - 0.5 * 2b
  EXPECT_EQ(sgd.param_groups()[0].lr(), 0.5);
  sgd.param_groups()[0].lr() = 0.1;  // schedulers and users change it like this
  EXPECT_EQ(sgd.param_groups()[0].get("lr"), 0.1);
}

}  // namespace

namespace {

using SchedulerStep = std::function<void(int)>;  // advances the schedule after step i
using SchedulerFactory = std::function<SchedulerStep(optim::Optimizer&)>;

template <class S, class... Args>
SchedulerFactory sched(Args... args) {
  return [=](optim::Optimizer& o) {
    auto s = std::make_shared<S>(o, args...);
    return SchedulerStep([s](int) { s->step(); });
  };
}

double plateau_metric(int step) { return 1.0 / (1 + step / 7) + 0.05 * std::sin(step); }

// THE scheduler table: one row per schedule of make_optim_fixtures.py.
const std::map<std::string, SchedulerFactory>& schedulers() {
  using namespace optim;
  static const std::map<std::string, SchedulerFactory> table = {
      {"step", sched<StepLR>(StepLROptions{.step_size = 7, .gamma = 0.5})},
      {"multistep", sched<MultiStepLR>(MultiStepLROptions{.milestones = {10, 25, 60}, .gamma = 0.3})},
      {"exponential", sched<ExponentialLR>(ExponentialLROptions{.gamma = 0.97})},
      {"cosine", sched<CosineAnnealingLR>(CosineAnnealingLROptions{.T_max = 30, .eta_min = 0.001})},
      {"cosine_warm_restarts",
       sched<CosineAnnealingWarmRestarts>(CosineAnnealingWarmRestartsOptions{.T_0 = 10, .T_mult = 2, .eta_min = 0.01})},
      {"linear", sched<LinearLR>(LinearLROptions{.start_factor = 0.25, .end_factor = 1.0, .total_iters = 20})},
      {"constant", sched<ConstantLR>(ConstantLROptions{.factor = 0.5, .total_iters = 15})},
      {"lambda", sched<LambdaLR>(std::function<double(int64_t)>([](int64_t e) { return 1.0 / (1 + 0.1 * e); }))},
      {"multiplicative", sched<MultiplicativeLR>(std::function<double(int64_t)>([](int64_t) { return 0.98; }))},
      {"polynomial", sched<PolynomialLR>(PolynomialLROptions{.total_iters = 50, .power = 2.0})},
      {"sequential_warmup_cosine",
       [](Optimizer& o) {
         std::vector<std::unique_ptr<LRScheduler>> parts;
         parts.push_back(std::make_unique<LinearLR>(o, LinearLROptions{.start_factor = 0.1, .total_iters = 10}));
         parts.push_back(std::make_unique<CosineAnnealingLR>(o, CosineAnnealingLROptions{.T_max = 90}));
         auto s = std::make_shared<SequentialLR>(o, std::move(parts), std::vector<int64_t>{10});
         return SchedulerStep([s](int) { s->step(); });
       }},
      {"one_cycle_cos", sched<OneCycleLR>(OneCycleLROptions{.max_lr = 1.0, .total_steps = 100})},
      {"one_cycle_linear_three_phase",
       sched<OneCycleLR>(OneCycleLROptions{.max_lr = 0.5, .total_steps = 100, .pct_start = 0.2,
                                           .anneal_strategy = "linear", .div_factor = 10, .final_div_factor = 100,
                                           .three_phase = true})},
      {"cyclic_triangular",
       sched<CyclicLR>(CyclicLROptions{.base_lr = 0.01, .max_lr = 0.1, .step_size_up = 8, .cycle_momentum = false})},
      {"cyclic_triangular2",
       sched<CyclicLR>(CyclicLROptions{.base_lr = 0.01, .max_lr = 0.1, .step_size_up = 5, .step_size_down = 10,
                                       .mode = "triangular2", .cycle_momentum = false})},
      {"cyclic_exp_range",
       sched<CyclicLR>(CyclicLROptions{.base_lr = 0.01, .max_lr = 0.1, .step_size_up = 6, .mode = "exp_range",
                                       .gamma = 0.98, .cycle_momentum = false})},
      {"plateau_min",
       [](Optimizer& o) {
         auto s = std::make_shared<ReduceLROnPlateau>(
             o, ReduceLROnPlateauOptions{.mode = "min", .factor = 0.5, .patience = 3, .threshold = 0.01,
                                         .cooldown = 2, .min_lr = 0.002});
         return SchedulerStep([s](int i) { s->step(plateau_metric(i)); });
       }},
      {"plateau_max_abs",
       [](Optimizer& o) {
         auto s = std::make_shared<ReduceLROnPlateau>(
             o, ReduceLROnPlateauOptions{.mode = "max", .factor = 0.3, .patience = 2, .threshold = 0.5,
                                         .threshold_mode = "abs"});
         return SchedulerStep([s](int i) { s->step(plateau_metric(i)); });
       }},
      {"chained_constant_exponential",
       [](Optimizer& o) {
         std::vector<std::unique_ptr<LRScheduler>> parts;
         parts.push_back(std::make_unique<ConstantLR>(o, ConstantLROptions{.factor = 0.1, .total_iters = 2}));
         parts.push_back(std::make_unique<ExponentialLR>(o, ExponentialLROptions{.gamma = 0.9}));
         auto s = std::make_shared<ChainedScheduler>(std::move(parts));
         return SchedulerStep([s](int) { s->step(); });
       }},
      {"chained_step_linear",
       [](Optimizer& o) {
         std::vector<std::unique_ptr<LRScheduler>> parts;
         parts.push_back(std::make_unique<StepLR>(o, StepLROptions{.step_size = 10, .gamma = 0.5}));
         parts.push_back(std::make_unique<LinearLR>(o, LinearLROptions{.start_factor = 0.2, .total_iters = 15}));
         auto s = std::make_shared<ChainedScheduler>(std::move(parts));
         return SchedulerStep([s](int) { s->step(); });
       }},
      {"swalr_cos", sched<SWALR>(SWALROptions{.swa_lr = {0.05}, .anneal_epochs = 10})},
      {"swalr_linear_no_anneal",
       sched<SWALR>(SWALROptions{.swa_lr = {0.02}, .anneal_epochs = 0, .anneal_strategy = "linear"})},
  };
  return table;
}

class Schedule : public ::testing::TestWithParam<std::string> {};

TEST_P(Schedule, MatchesPyTorchFor100Steps) {
  const std::string& name = GetParam();
  ASSERT_TRUE(golden().schedules.count(name)) << name << " has no fixture";
  const std::vector<double>& want = golden().schedules.at(name);
  optim::SGD opt({nn::parameter(zeros({1}))}, {.lr = 0.1, .momentum = 0.9});
  SchedulerStep step = schedulers().at(name)(opt);
  for (int i = 0; i < 100; ++i) {
    const double lr = opt.param_groups()[0].lr();
    EXPECT_NEAR(lr, want[static_cast<size_t>(i)], 1e-12 * std::max(1.0, std::abs(want[static_cast<size_t>(i)])))
        << "step " << i;
    opt.step();
    step(i);
  }
}

std::vector<std::string> schedule_names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : schedulers()) out.push_back(k);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Schedulers, Schedule, ::testing::ValuesIn(schedule_names()),
                         [](const auto& info) { return info.param; });

TEST(SchedulerTable, EveryFixtureHasARow) {
  for (const auto& [name, lrs] : golden().schedules) EXPECT_TRUE(schedulers().count(name)) << name;
}

TEST(Scheduler, StateDictResumesTheSequence) {
  optim::SGD a({nn::parameter(zeros({1}))}, {.lr = 0.1});
  optim::CosineAnnealingWarmRestarts sa(a, {.T_0 = 5, .T_mult = 2});
  for (int i = 0; i < 12; ++i) sa.step();
  optim::SGD b({nn::parameter(zeros({1}))}, {.lr = 0.1});
  optim::CosineAnnealingWarmRestarts sb(b, {.T_0 = 5, .T_mult = 2});
  sb.load_state_dict(sa.state_dict());
  for (int i = 0; i < 20; ++i) {
    sa.step();
    sb.step();
    EXPECT_EQ(sa.get_last_lr(), sb.get_last_lr());
  }
  EXPECT_ERROR(optim::OneCycleLR(b, {.max_lr = 1.0, .total_steps = 0}), "OneCycleLR: total_steps must be positive");
  optim::RMSprop r({nn::parameter(zeros({1}))});
  optim::OneCycleLR cycle(r, {.max_lr = 1.0, .total_steps = 10});  // RMSprop has momentum: cycles it
  EXPECT_EQ(r.param_groups()[0].get("momentum"), 0.95);
  optim::Adagrad ada({nn::parameter(zeros({1}))});
  EXPECT_ERROR(optim::OneCycleLR(ada, {.max_lr = 1.0, .total_steps = 10}),
               "OneCycleLR: optimizer must support momentum (or beta1) with cycle_momentum enabled");
}

}  // namespace

namespace {

TEST(Regularization, L1PenaltyAndEarlyStopping) {
  Tensor w = nn::parameter(tensor({1.0f, -2.0f}));
  Tensor penalty = optim::l1_penalty({w}, 0.5);
  EXPECT_EQ(penalty.item<double>(), 1.5);
  penalty.backward();
  EXPECT_EQ(w.grad().to_vector<float>(), (std::vector<float>{0.5f, -0.5f}));

  nn::Linear model(2, 1);
  optim::EarlyStopping stop({.mode = "min", .patience = 2, .min_delta = 0.01, .restore_best = true});
  const std::vector<double> losses = {1.0, 0.8, 0.795, 0.9, 0.85};
  std::vector<bool> stops;
  Tensor best_weight;
  for (size_t i = 0; i < losses.size(); ++i) {
    {
      NoGradGuard no_grad;
      model.weight.fill_(static_cast<double>(i));
    }
    stops.push_back(stop.step(losses[i], &model));
  }
  EXPECT_EQ(stops, (std::vector<bool>{false, false, false, false, true}));  // 0.795 is within min_delta
  EXPECT_EQ(stop.best(), 0.8);
  EXPECT_EQ(stop.best_epoch(), 1);
  stop.restore(model);
  EXPECT_EQ(model.weight.sum().item<double>(), 2.0);  // the epoch-1 weights (1, 1)
  EXPECT_ERROR(optim::EarlyStopping({.mode = "up"}), "EarlyStopping: mode must be 'min' or 'max'");
}

}  // namespace

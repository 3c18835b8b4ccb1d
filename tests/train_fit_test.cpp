// train::fit and train::evaluate as a library: the loss and the device are the
// caller's, classification metrics only where targets are class labels.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

using namespace ember;
using ::testing::HasSubstr;

namespace {

#define EXPECT_ERROR(stmt, text) EXPECT_THAT([&] { stmt; }, ::testing::ThrowsMessage<Error>(HasSubstr(text)))

TEST(Fit, TrainsARegressionWithTheCallersLoss) {
  manual_seed(0);
  data::DataLoader loader(data::make_regression(256, 4, /*seed=*/1), {.batch_size = 32});
  nn::Linear model(4, 1);
  optim::SGD sgd(model.parameters(), {.lr = 0.1});
  int calls = 0;
  const train::LossFunction mse = [&](const Tensor& prediction, const Tensor& target) {
    ++calls;
    return F::mse_loss(prediction, target);
  };
  const double before = train::evaluate(model, loader, 1, {.loss = mse}).loss;
  const auto history = train::fit(model, sgd, loader, &loader, {.epochs = 5, .classes = 1, .loss = mse});
  ASSERT_EQ(history.size(), 5u);
  EXPECT_GT(calls, 5 * 8);  // every training batch, and the validation passes
  EXPECT_LT(history.back().train_loss, 0.1 * before);
  ASSERT_TRUE(history.back().val_loss.has_value());
  EXPECT_LT(*history.back().val_loss, 0.1 * before);
  EXPECT_EQ(history.back().train_acc, 0.0);  // float targets: no accuracy to count
}

TEST(Fit, RefusesAModelThatIsNotOnTheRunsDevice) {
  data::DataLoader loader(data::make_blobs(16, 2, 2), {.batch_size = 8});
  nn::Linear model(2, 2);
  optim::SGD sgd(model.parameters(), {.lr = 0.1});
  EXPECT_ERROR(train::fit(model, sgd, loader, nullptr, {.classes = 2, .device = kMeta}),
               "fit: parameter weight is on cpu but the run's device is meta; move the model there first");
  EXPECT_ERROR(train::evaluate(model, loader, 2, {.device = kMeta}), "evaluate: parameter weight is on cpu");
}

TEST(Fit, MetricsLinesRoundTrip) {
  train::EpochMetrics m{.epoch = 2, .lr = 0.1, .train_loss = 0.5, .train_acc = 0.75, .seconds = 1.5,
                        .samples_per_sec = 1000, .val_loss = 0.25, .val_acc = 0.875};
  const std::string line = train::metrics_line(m);
  EXPECT_THAT(line, HasSubstr("\"epoch\":3"));
  const train::EpochMetrics back = train::parse_metrics_line(line, "metrics.jsonl");
  EXPECT_EQ(back.epoch, 2);
  EXPECT_EQ(back.train_loss, 0.5);
  EXPECT_EQ(back.val_acc, 0.875);
  m.val_loss.reset(), m.val_acc.reset();
  EXPECT_FALSE(train::parse_metrics_line(train::metrics_line(m), "metrics.jsonl").val_loss.has_value());
  EXPECT_ERROR(train::parse_metrics_line("{\"epoch\": 1}", "run/metrics.jsonl"),
               "metrics: run/metrics.jsonl holds a line that is not an epoch's metrics");
}

// A checkpoint puts model, optimizer, schedule, early stopping and the random
// stream back where they were.
TEST(Fit, CheckpointRestoresTheWholeRun) {
  const std::string path = "/tmp/ember_checkpoint_test_" + std::to_string(::getpid()) + ".safetensors";
  manual_seed(3);
  nn::Linear model(3, 2);
  optim::SGD sgd(model.parameters(), {.lr = 0.1, .momentum = 0.9});
  optim::StepLR schedule(sgd, {.step_size = 1, .gamma = 0.5});
  optim::EarlyStopping stopper({.patience = 2});
  const train::RunState run{&model, &sgd, &schedule, nullptr, &stopper};
  F::mse_loss(model(randn({4, 3})), randn({4, 2})).backward();
  sgd.step();
  schedule.step();
  stopper.step(1.0);
  train::save_checkpoint(path, run, {{"epoch", "1"}, {"model", "linear"}});
  const Tensor weight = model.weight.clone(), next = randn({3});
  {  // move everything on
    NoGradGuard no_grad;
    model.weight.zero_();
  }
  schedule.step();
  const train::Restored restored = train::load_checkpoint(path, run, "linear");
  EXPECT_EQ(restored.epochs_done, 1);
  EXPECT_FALSE(restored.progress.has_value());
  EXPECT_TRUE(equal(model.weight, weight));
  EXPECT_EQ(sgd.param_groups()[0].lr(), 0.05);
  EXPECT_TRUE(equal(randn({3}), next));  // the random stream continues from the checkpoint
  EXPECT_ERROR(train::load_checkpoint(path, run, "mlp"), "load_checkpoint: " + path +
                                                          " is not a checkpoint of this run's model (mlp)");
  std::remove(path.c_str());
}

TEST(Registry, OptimizersAndSchedulesByName) {
  nn::Linear model(2, 2);
  EXPECT_EQ(train::optimizer_names(),
            (std::vector<std::string>{"sgd", "adam", "adamw", "nadam", "radam", "rmsprop", "adagrad", "adadelta", "rprop",
                                      "asgd"}));
  for (const std::string& name : train::optimizer_names()) {
    auto opt = train::create_optimizer(name, model.parameters(), {.lr = 0.05, .weight_decay = 0.01});
    EXPECT_EQ(opt->param_groups()[0].lr(), 0.05) << name;
    if (name != "rprop") {  // PyTorch's Rprop has no weight decay
      EXPECT_EQ(opt->param_groups()[0].get("weight_decay"), 0.01) << name;
    }
  }
  auto sgd = train::create_optimizer("sgd", model.parameters(), {.lr = 0.1, .momentum = 0.9, .nesterov = true});
  EXPECT_EQ(sgd->name(), "SGD");
  EXPECT_EQ(sgd->param_groups()[0].get("nesterov"), 1.0);
  EXPECT_ERROR(train::create_optimizer("lion", model.parameters(), {}),
               "unknown optimizer 'lion'; known optimizers: sgd, adam, adamw, nadam, radam, rmsprop, adagrad, adadelta, "
               "rprop, asgd");
  train::register_optimizer("sgd_half_lr", [](std::vector<Tensor> params, const train::OptimizerSpec& s) {
    return std::unique_ptr<optim::Optimizer>(std::make_unique<optim::SGD>(std::move(params), optim::SGDOptions{.lr = s.lr / 2}));
  });
  EXPECT_EQ(train::create_optimizer("sgd_half_lr", model.parameters(), {.lr = 0.2})->param_groups()[0].lr(), 0.1);
  EXPECT_ERROR(train::register_optimizer("adam", {}), "register_optimizer: an optimizer named 'adam' is already registered");

  // Step decay after a 2-epoch linear warm-up from 0.1 x lr.
  auto opt = train::create_optimizer("sgd", model.parameters(), {.lr = 1.0});
  const train::Schedule schedule =
      train::create_schedule(*opt, {.name = "step", .epochs = 6, .warmup_epochs = 2, .step_size = 2, .gamma = 0.5});
  ASSERT_TRUE(schedule.scheduler);
  EXPECT_FALSE(schedule.per_batch);
  std::vector<double> lrs;
  for (int epoch = 0; epoch < 6; ++epoch) {
    lrs.push_back(opt->param_groups()[0].lr());
    schedule.scheduler->step();
  }
  EXPECT_NEAR(lrs[0], 0.1, 1e-12);
  EXPECT_NEAR(lrs[1], 0.55, 1e-12);
  EXPECT_NEAR(lrs[2], 1.0, 1e-12);
  EXPECT_NEAR(lrs[4], 0.5, 1e-12);
  EXPECT_TRUE(train::create_schedule(*opt, {.name = "onecycle", .epochs = 2, .batches_per_epoch = 5}).per_batch);
  EXPECT_TRUE(train::create_schedule(*opt, {.name = "plateau"}).plateau);
  EXPECT_ERROR(train::create_schedule(*opt, {.name = "warp"}), "unknown scheduler 'warp'");
  EXPECT_ERROR(train::create_schedule(*opt, {.name = "onecycle", .warmup_epochs = 1}),
               "a warm-up does not combine with the onecycle schedule");
}

}  // namespace

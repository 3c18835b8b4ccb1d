// train::fit and train::evaluate as a library: the loss and the device are the
// caller's, classification metrics only where targets are class labels.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace

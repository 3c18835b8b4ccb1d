// The meta device: tensors with sizes, strides and dtype but no data. Every op
// runs its checks and shape rules and skips its kernel; reading values is an
// Error. Building every zoo model there and running forward, loss, backward and
// optimizer steps proves that every tensor made during a step takes its device
// from its inputs (a CPU tensor mixed in would be an Error, or show as CPU memory).
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace ember;
using ::testing::HasSubstr;

namespace {

#define EXPECT_ERROR(stmt, text) EXPECT_THAT([&] { stmt; }, ::testing::ThrowsMessage<Error>(HasSubstr(text)))

TEST(MetaDevice, TensorsHaveShapesButNoData) {
  const Tensor x = empty({2, 3}, {.device = kMeta});
  EXPECT_TRUE(x.is_meta());
  EXPECT_EQ(x.device(), kMeta);
  EXPECT_EQ(x.sizes(), (Shape{2, 3}));
  EXPECT_EQ(x.strides(), (Shape{3, 1}));
  EXPECT_EQ(x.numel(), 6);
  EXPECT_ERROR(x.data_ptr(), "data_ptr: the tensor of shape [2, 3] is on the meta device, which holds no data");
  EXPECT_ERROR(x.data_ptr<float>(), "data_ptr: the tensor of shape [2, 3] is on the meta device");
  EXPECT_ERROR(x.sum().item(), "item: the tensor of shape [] is on the meta device");
  EXPECT_ERROR(x.to_vector<float>(), "to_vector: the tensor of shape [2, 3] is on the meta device");
  EXPECT_ERROR(x.to(kCPU), "to: the tensor of shape [2, 3] is on the meta device");
  Tensor host = zeros({2, 3});
  EXPECT_ERROR(host.copy_(x), "copy_: the tensor of shape [2, 3] is on the meta device");
  // As PyTorch prints it.
  EXPECT_EQ(x.str(), "tensor(..., device='meta', size=(2, 3))");
  EXPECT_EQ(empty({4}, {.dtype = kInt64, .device = kMeta}).str(), "tensor(..., device='meta', size=(4,), dtype=int64)");
}

TEST(MetaDevice, FactoriesMoveAndTheDefaultDevice) {
  EXPECT_TRUE(randn({3, 4}, {.device = kMeta}).is_meta());
  EXPECT_TRUE(arange(5, {.device = kMeta}).is_meta());
  EXPECT_TRUE(tensor({1.0, 2.0}, {.device = kMeta}).is_meta());
  const Tensor moved = ones({2, 2}).to(kMeta);
  EXPECT_TRUE(moved.is_meta());
  EXPECT_EQ(moved.sizes(), (Shape{2, 2}));
  {
    DefaultDeviceGuard guard(kMeta);
    EXPECT_EQ(default_device(), kMeta);
    EXPECT_TRUE(zeros({3}).is_meta());
    EXPECT_TRUE(zeros({3}, {.device = kCPU}).device().is_cpu());  // explicit options win
  }
  EXPECT_EQ(default_device(), kCPU);
  EXPECT_TRUE(zeros({3}).device().is_cpu());
}

TEST(MetaDevice, OpsRunTheirChecksAndShapeRules) {
  const TensorOptions meta{.device = kMeta};
  const Tensor a = randn({4, 1, 3}, meta), b = randn({5, 1}, meta);
  EXPECT_EQ((a + b).sizes(), (Shape{4, 5, 3}));
  EXPECT_EQ((a + b).dtype(), kFloat32);
  EXPECT_EQ(randn({2, 3, 4}, meta).matmul(randn({4, 7}, meta)).sizes(), (Shape{2, 3, 7}));
  EXPECT_EQ(F::conv2d(randn({8, 3, 32, 32}, meta), randn({16, 3, 3, 3}, meta), {}, {2, 2}, {1, 1}).sizes(),
            (Shape{8, 16, 16, 16}));
  EXPECT_EQ(randn({6, 4}, meta).sum({1}).sizes(), (Shape{6}));
  EXPECT_EQ(randn({6, 4}, meta).max(1).second.dtype(), kInt64);
  EXPECT_EQ(randn({6, 4}, meta).t().contiguous().strides(), (Shape{6, 1}));
  // Shape errors are the same as on the CPU.
  EXPECT_ERROR(randn({2, 3}, meta) + randn({4}, meta), "add: shapes [2, 3] and [4] cannot be broadcast");
  EXPECT_ERROR(randn({2, 3}, meta).matmul(randn({4, 5}, meta)), "matmul");
  // A 0-dim CPU tensor joins an op on any device, as in PyTorch; a dimensioned one does not.
  EXPECT_TRUE((randn({2}, meta) * scalar_tensor(3.0)).is_meta());
  EXPECT_ERROR(randn({2}, meta) + randn({2}), "add: expected all tensors on one device, got meta and cpu");
  // Index bounds are values: not checked. Value-dependent shapes are refused.
  EXPECT_EQ(randn({5, 2}, meta).index_select(0, full({3}, 9, {.dtype = kInt64, .device = kMeta})).sizes(),
            (Shape{3, 2}));
  EXPECT_ERROR(nonzero(randn({3}, meta)), "nonzero: the result's shape depends on the values of the input");
  EXPECT_ERROR(masked_select(randn({3}, meta), randn({3}, meta).gt(0)), "masked_select: the result's shape depends");
}

TEST(MetaDevice, AutogradGivesMetaGradientsOfTheRightShape) {
  const Tensor w = randn({4, 3}, {.device = kMeta}).requires_grad_();
  const Tensor x = randn({8, 3}, {.device = kMeta});
  F::cross_entropy(x.matmul(w.t()).relu(), zeros({8}, {.dtype = kInt64, .device = kMeta})).backward();
  ASSERT_TRUE(w.grad().defined());
  EXPECT_TRUE(w.grad().is_meta());
  EXPECT_EQ(w.grad().sizes(), (Shape{4, 3}));
}

// The inputs and targets of one training step of a zoo model, on `device`.
std::pair<Tensor, Tensor> batch_for(const std::string& name, const models::ModelSpec& spec, int64_t n, Device device) {
  if (name == "gpt") {
    const Tensor ids = randint(0, spec.classes, {n, spec.input[0]}, {.device = device});
    return {ids, randint(0, spec.classes, {n * spec.input[0]}, {.device = device})};
  }
  if (name == "transformer") {
    const Tensor ids = randint(0, spec.classes, {n, 2 * spec.input[0]}, {.device = device});
    return {ids, randint(0, spec.classes, {n * spec.input[0]}, {.device = device})};
  }
  Shape shape{n};
  for (int64_t s : spec.input) shape.push_back(s);
  return {randn(shape, {.device = device}), randint(0, spec.classes, {n}, {.device = device})};
}

// A training step's loss: cross-entropy for classifiers; the autoencoder's reconstruction error;
// for dcgan, its discriminator on real images and on the generator's (so both parts get gradients).
Tensor loss_for(nn::Module& model, const Tensor& x, const Tensor& out, const Tensor& y, const models::ModelSpec& spec) {
  if (dynamic_cast<models::Reconstructor*>(&model)) return F::mse_loss(out, x);
  if (auto* pair = dynamic_cast<models::AdversarialPair*>(&model)) {
    const Tensor fake = pair->generator()(randn({x.size(0), pair->latent_size()}, {.device = x.device()}));
    return F::binary_cross_entropy_with_logits(out, ones_like(out)) +
           F::binary_cross_entropy_with_logits(pair->discriminator()(fake), zeros_like(out));
  }
  return F::cross_entropy(out.reshape({-1, spec.classes}), y);
}

models::ModelSpec spec_for(const std::string& name) {
  if (name == "gpt") return {.input = {64}, .classes = 65};
  if (name == "transformer") return {.input = {10}, .classes = 12};
  return {.input = {3, 224, 224}, .classes = 1000};  // the ImageNet layouts, at full size
}

TEST(MetaDevice, EveryZooModelTrainsAStepWithoutCpuMemory) {
  for (const auto& [name, description] : models::list()) {
    SCOPED_TRACE(name);
    const size_t cpu_before = memory_stats(DeviceType::cpu).allocated;
    reset_peak_memory_stats(DeviceType::cpu);
    const models::ModelSpec spec = spec_for(name);
    std::shared_ptr<nn::Module> model;
    {
      // Built on meta; run with the default device back on the CPU, so any tensor
      // a forward or backward made without taking its inputs' device would show.
      DefaultDeviceGuard on_meta(kMeta);
      model = models::create(name, spec);
    }
    model->train();
    for (const Tensor& p : model->parameters()) ASSERT_TRUE(p.is_meta());
    for (const auto& [buffer_name, b] : model->named_buffers()) ASSERT_TRUE(b.is_meta()) << buffer_name;
    optim::SGD sgd(model->parameters(), {.lr = 0.1, .momentum = 0.9, .nesterov = true});
    optim::AdamW adamw(model->parameters(), {.lr = 1e-3});
    const auto [x, y] = batch_for(name, spec, 4, kMeta);
    for (optim::Optimizer* opt : {static_cast<optim::Optimizer*>(&sgd), static_cast<optim::Optimizer*>(&adamw)}) try {
      opt->zero_grad();
      const Tensor logits = (*model)(x);
      ASSERT_TRUE(logits.is_meta());
      const Tensor loss = loss_for(*model, x, logits, y, spec);
      EXPECT_EQ(loss.dim(), 0);
      loss.backward();
      const Tensor norm = nn::utils::clip_grad_norm_(model->parameters(), 1.0);
      EXPECT_TRUE(norm.is_meta());
      opt->step();
    } catch (const Error& e) {
      FAIL() << name << ": " << e.what();
    }
    for (const Tensor& p : model->parameters()) {
      ASSERT_TRUE(p.grad().defined());
      EXPECT_TRUE(p.grad().is_meta());
      EXPECT_EQ(p.grad().sizes(), p.sizes());
    }
    // Bookkeeping only: no parameter, activation or gradient reached CPU memory.
    EXPECT_LT(memory_stats(DeviceType::cpu).peak - cpu_before, size_t{64} << 10) << "bytes of CPU tensor storage";
  }
}

TEST(MetaDevice, ToEmptyMaterialisesAMetaModel) {
  std::shared_ptr<nn::Module> model;
  {
    DefaultDeviceGuard on_meta(kMeta);
    model = models::create("lenet5", {.input = {1, 28, 28}, .classes = 10});
  }
  model->to_empty(kCPU);
  for (const Tensor& p : model->parameters()) {
    EXPECT_TRUE(p.device().is_cpu());
    EXPECT_TRUE(p.requires_grad());
  }
  NoGradGuard no_grad;
  for (Tensor p : model->parameters()) p.zero_();
  const Tensor out = (*model)(randn({2, 1, 28, 28}));
  EXPECT_EQ(out.sizes(), (Shape{2, 10}));
  EXPECT_TRUE(out.eq(0).all().item<bool>());  // zero weights, zero biases
}

TEST(MetaDevice, MovingAMetaModelToTheCpuSaysToUseToEmpty) {
  std::shared_ptr<nn::Module> model;
  {
    DefaultDeviceGuard on_meta(kMeta);
    model = models::create("mlp", {.input = {1, 28, 28}, .classes = 10});
  }
  EXPECT_ERROR(model->to(kCPU), "is on the meta device, which holds no data; move it to a real device first "
                                "(Module::to_empty for a model built on meta)");
  EXPECT_ERROR(save(*model, "/tmp/ember_meta_model.safetensors"), "is on the meta device and has no data to save");
}

TEST(MetaDevice, TiedParametersStayTiedThroughToEmpty) {
  std::shared_ptr<nn::Module> model;
  {
    DefaultDeviceGuard on_meta(kMeta);
    model = models::gpt({.input = {8}, .classes = 11}, {.d_model = 16, .heads = 2, .layers = 1, .d_ff = 32});
  }
  const size_t before = model->parameters().size();
  model->to_empty(kCPU);
  EXPECT_EQ(model->parameters().size(), before);
  Tensor tok, head;
  for (const auto& [n, t] : model->state_dict()) {
    if (n == "tok_emb.weight") tok = t;
    if (n == "head.weight") head = t;
  }
  ASSERT_TRUE(tok.defined() && head.defined());
  EXPECT_TRUE(tok.device().is_cpu());
  EXPECT_EQ(tok.data_ptr(), head.data_ptr());  // one tensor under two names, as before
}

TEST(Devices, ParseNamesAndMemoryStats) {
  EXPECT_EQ(Device::parse("cpu"), kCPU);
  EXPECT_EQ(Device::parse("meta"), kMeta);
  EXPECT_EQ(Device::parse("cuda:1"), (Device{DeviceType::cuda, 1}));
  EXPECT_EQ(Device::parse("cuda").str(), "cuda");
  EXPECT_ERROR(Device::parse("gpu"), "device: unknown device 'gpu'; expected cpu, meta, cuda or cuda:<index>");
  EXPECT_ERROR(Device::parse("cpu:0"), "device: invalid device 'cpu:0'");
  EXPECT_ERROR(Device::parse("cuda:x"), "device: invalid device 'cuda:x'");
  const size_t before = memory_stats(DeviceType::cpu).allocated;
  {
    const Tensor big = empty({1 << 18});  // 1 MiB
    EXPECT_EQ(memory_stats(DeviceType::cpu).allocated - before, size_t{1} << 20);
    EXPECT_GE(memory_stats(DeviceType::cpu).peak, before + (size_t{1} << 20));
  }
  EXPECT_EQ(memory_stats(DeviceType::cpu).allocated, before);
  // A device this build lacks is a clear Error, not a crash.
  EXPECT_ERROR(zeros({2}).to(Device{DeviceType::cuda, 0}), "device cuda:0 is not available in this build of Ember");
}

}  // namespace

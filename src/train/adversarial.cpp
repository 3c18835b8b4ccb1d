// The adversarial training loop (train/adversarial.h).
#include "ember/train/adversarial.h"

#include <cmath>

#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"
#include "train/epoch_start.h"

namespace ember::train {
namespace {

models::AdversarialPair& pair_of(nn::Module& model, const char* op) {
  auto* pair = dynamic_cast<models::AdversarialPair*>(&model);
  EMBER_CHECK(pair, op, ": ", model.type_name(), " is not an adversarial pair (a generator and a discriminator)");
  return *pair;
}

// The discriminator's calls on real and on generated images, each batch on its own (so batch norm
// sees one kind at a time, as the DCGAN recipe): the loss, the sum of both binary cross-entropies,
// and how many it called right.
struct Calls {
  Tensor loss;
  int64_t correct;
};
Calls call(nn::Module& discriminator, const Tensor& real, const Tensor& fake) {
  const Tensor on_real = discriminator(real), on_fake = discriminator(fake);
  const Tensor loss = F::binary_cross_entropy_with_logits(on_real, ones_like(on_real)) +
                      F::binary_cross_entropy_with_logits(on_fake, zeros_like(on_fake));
  NoGradGuard no_grad;
  return {loss, gt(on_real, 0.0).sum().item<int64_t>() + le(on_fake, 0.0).sum().item<int64_t>()};
}

Tensor noise(int64_t n, int64_t latent, Generator* generator, Device device) {
  return randn({n, latent}, {.device = device}, generator);
}

// Where the generator's parameters are (noise and images go there).
Device device_of(models::AdversarialPair& pair) {
  const std::vector<Tensor> params = pair.generator().parameters();
  return params.empty() ? kCPU : params.front().device();
}

}  // namespace

std::vector<EpochMetrics> fit_adversarial(nn::Module& model, optim::Optimizer& generator_optimizer,
                                          optim::Optimizer& discriminator_optimizer, data::DataLoader& loader,
                                          const FitOptions& o) {
  const char* op = "fit_adversarial";
  models::AdversarialPair& pair = pair_of(model, op);
  nn::Module &g = pair.generator(), &d = pair.discriminator();
  EMBER_CHECK(!o.resume_progress || o.resume_progress->epoch == o.start_epoch, op, ": resume_progress is for epoch ",
              o.resume_progress ? o.resume_progress->epoch : 0, ", not the start epoch ", o.start_epoch);
  std::vector<EpochMetrics> history;
  for (int64_t epoch = o.start_epoch; epoch < o.epochs; ++epoch) {
    EpochProgress p = begin_epoch(epoch, o, generator_optimizer.param_groups().at(0).lr(), loader);
    model.train();
    const EpochClock clock(p.seconds);
    const int64_t batches = loader.size();
    for (const data::Batch& batch : loader) {
      const Tensor real = batch.data.to(o.device).mul(2.0).sub(1.0);  // [0, 1] -> the generator's [-1, 1]
      const int64_t n = real.size(0);
      const Tensor fake = g(noise(n, pair.latent_size(), nullptr, o.device));

      // The discriminator: real images are real, generated ones (detached: the generator is not its to train) not.
      discriminator_optimizer.zero_grad();
      const Calls calls = call(d, real, fake.detach());
      const Tensor& d_loss = calls.loss;
      d_loss.backward();
      discriminator_optimizer.step();

      // The generator: its images should be called real by the discriminator as it now is.
      generator_optimizer.zero_grad();
      const Tensor on_fake = d(fake);
      const Tensor g_loss = F::binary_cross_entropy_with_logits(on_fake, ones_like(on_fake));
      g_loss.backward();
      generator_optimizer.step();
      discriminator_optimizer.zero_grad();  // the generator's step left gradients there; they are not the discriminator's

      const double g_value = g_loss.item<double>(), d_value = d_loss.item<double>();
      EMBER_CHECK(std::isfinite(g_value) && std::isfinite(d_value), op, ": the losses became ", g_value, " (generator) and ",
                  d_value, " (discriminator) at epoch ", epoch + 1, ", batch ", p.batch + 1,
                  "; stopping (lower the learning rate)");
      p.loss_sum += g_value * static_cast<double>(n);
      p.extra_sum += d_value * static_cast<double>(n);
      p.correct += calls.correct;
      p.seen += n;
      ++p.batch;
      if (o.on_batch)
        o.on_batch(p.batch, batches, p.loss_sum / static_cast<double>(p.seen),
                   static_cast<double>(p.correct) / static_cast<double>(2 * p.seen), p.seen);
      if (o.interrupted && o.interrupted()) {
        p.seconds = clock.seconds();
        if (o.on_interrupt) o.on_interrupt(p);
        return history;
      }
    }
    EpochMetrics m;
    m.epoch = epoch;
    m.lr = p.lr;
    m.seconds = clock.seconds();
    const double seen = static_cast<double>(std::max<int64_t>(p.seen, 1));
    m.train_loss = p.loss_sum / seen;
    m.train_acc = static_cast<double>(p.correct) / (2 * seen);
    m.extra["d_loss"] = p.extra_sum / seen;
    m.samples_per_sec = static_cast<double>(p.seen) / std::max(m.seconds, 1e-9);
    history.push_back(m);
    if (o.on_epoch && !o.on_epoch(m)) break;
  }
  return history;
}

EvalResult evaluate_adversarial(nn::Module& model, data::DataLoader& loader, Generator* generator) {
  models::AdversarialPair& pair = pair_of(model, "evaluate_adversarial");
  const Device device = device_of(pair);
  const bool was_training = model.is_training();
  model.eval();
  InferenceMode inference;
  double loss_sum = 0;
  int64_t correct = 0, seen = 0;
  for (const data::Batch& batch : loader) {
    const Tensor real = batch.data.to(device).mul(2.0).sub(1.0);
    const int64_t n = real.size(0);
    const Calls calls =
        call(pair.discriminator(), real, pair.generator()(noise(n, pair.latent_size(), generator, device)));
    loss_sum += calls.loss.item<double>() * static_cast<double>(n);
    correct += calls.correct;
    seen += n;
  }
  model.train(was_training);
  EMBER_CHECK(seen > 0, "evaluate_adversarial: the loader produced no examples");
  return {loss_sum / static_cast<double>(seen), static_cast<double>(correct) / static_cast<double>(2 * seen), {}};
}

Tensor generate_images(nn::Module& model, int64_t count, Generator& generator) {
  models::AdversarialPair& pair = pair_of(model, "generate_images");
  const Tensor z = noise(count, pair.latent_size(), &generator, device_of(pair));
  // In eval mode: batch norm's running statistics, so the images do not depend on what else is in the batch.
  const bool was_training = model.is_training();
  model.eval();
  Tensor images;
  {
    InferenceMode inference;
    images = pair.generator()(z).add(1.0).mul(0.5);
  }
  model.train(was_training);
  return images;
}

}  // namespace ember::train

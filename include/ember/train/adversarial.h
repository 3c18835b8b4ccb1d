// Training an adversarial pair (models::AdversarialPair, e.g. dcgan), as the
// DCGAN recipe: each batch, the discriminator takes one step on real images
// (label 1) and as many generated ones (label 0, the generator detached),
// then the generator one step to make the discriminator call its images real;
// both losses are binary cross-entropy on the discriminator's logits (the
// discriminator's the sum of its real and generated batches', each batch run
// on its own). Real
// images arrive with pixels in [0, 1] and are scaled to the generator's
// [-1, 1].
#pragma once

#include <vector>

#include "ember/models.h"
#include "ember/train.h"

namespace ember::train {

// options: epochs, device (where the batches and noise go), start_epoch and
// resume_progress, on_batch, on_epoch, interrupted / on_interrupt as fit's
// (the loss and schedule fields do not apply). Each epoch's train_loss is
// the generator's loss, train_acc the discriminator's accuracy over real and
// generated images, extra["d_loss"] the discriminator's loss; a non-finite
// loss stops with an Error.
std::vector<EpochMetrics> fit_adversarial(nn::Module& model, optim::Optimizer& generator_optimizer,
                                          optim::Optimizer& discriminator_optimizer, data::DataLoader& loader,
                                          const FitOptions& options);

// The discriminator's loss (per real image, as in training) and accuracy on
// the loader's real images and as many generated ones (noise from
// `generator`), in eval mode.
EvalResult evaluate_adversarial(nn::Module& model, data::DataLoader& loader, Generator* generator = nullptr);

// `count` images from the generator for fixed noise (N(0, 1) from
// `generator`), in [0, 1]: what a run draws each epoch.
Tensor generate_images(nn::Module& model, int64_t count, Generator& generator);

}  // namespace ember::train

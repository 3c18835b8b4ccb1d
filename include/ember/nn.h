// ember::nn: modules, layers, losses, init and the functional forms (F::).
// The reference MLP, as in PyTorch:
//
//   nn::Sequential model(nn::Flatten(), nn::Linear(784, 512), nn::BatchNorm1d(512),
//                        nn::ReLU(), nn::Dropout(0.5), nn::Linear(512, 10));
//   Tensor loss = F::cross_entropy(model(images), labels);
#pragma once

#include "ember/nn/channel_prune.h"
#include "ember/nn/container.h"
#include "ember/nn/conv.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/nn/layers.h"
#include "ember/nn/loss.h"
#include "ember/nn/module.h"
#include "ember/nn/prune.h"
#include "ember/nn/recurrent.h"
#include "ember/nn/serialization.h"
#include "ember/nn/transformer.h"
#include "ember/nn/utils.h"

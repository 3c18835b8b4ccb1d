// Ember: a deep-learning framework in C++20 with PyTorch's semantics.
//
//   #include <ember/ember.h>
//   using namespace ember;
//   Tensor x = tensor({{1.0, 2.0}, {3.0, 4.0}});   // float32, 2x2
//   Tensor w = randn({2, 3});
//   Tensor y = (x.matmul(w) + 1).relu();         // broadcasting, like torch
//   std::cout << y.sum(1) << "\n";               // tensor([..., ...])
//   Tensor v = randn({3}).requires_grad_();
//   (v * v).sum().backward();                    // v.grad() == 2 * v
//
// One header per concept: tensor.h (the handle), creation.h (factories and
// random), ops.h (the math), autograd.h (gradients), grad_mode.h (no-grad scopes),
// nn.h (modules, layers, losses, init; F:: for the functional forms), io.h
// (safetensors).
#pragma once

#include "ember/autograd.h"
#include "ember/creation.h"
#include "ember/data.h"
#include "ember/device.h"
#include "ember/dist.h"
#include "ember/dtype.h"
#include "ember/error.h"
#include "ember/generator.h"
#include "ember/grad_mode.h"
#include "ember/image_io.h"
#include "ember/io.h"
#include "ember/models.h"
#include "ember/train.h"
#include "ember/tune.h"
#include "ember/train/datasets.h"
#include "ember/train/adversarial.h"
#include "ember/train/run.h"
#include "ember/train/trained_model.h"
#include "ember/nn.h"
#include "ember/optim.h"
#include "ember/ops.h"
#include "ember/scalar.h"
#include "ember/shape.h"
#include "ember/tensor.h"
#include "ember/threads.h"
#include "ember/warning.h"

// ember::optim: optimizers, learning-rate schedulers and training helpers.
#pragma once

#include "ember/optim/optimizer.h"
#include "ember/optim/optimizers.h"
#include "ember/optim/regularization.h"
#include "ember/optim/scheduler.h"
#include "ember/optim/swa_utils.h"

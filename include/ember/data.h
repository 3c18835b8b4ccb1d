// ember::data: datasets, samplers, the DataLoader and transforms.
#pragma once

#include "ember/data/dataloader.h"
#include "ember/data/dataset.h"
#include "ember/data/datasets.h"
#include "ember/data/sampler.h"
#include "ember/data/transforms.h"

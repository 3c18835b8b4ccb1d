// The datasets a run names (RunConfig::dataset), built by name as models are
// (models::create). Their errors speak of the settings by their flag names
// (--data-root), which are also the config keys with '_' for '-'.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ember/creation.h"
#include "ember/data.h"
#include "ember/ops.h"
#include "ember/models.h"

namespace ember::train {

struct LoadedData {
  data::DatasetPtr train, test;
  models::ModelSpec spec;              // input shape and class count
  std::vector<std::string> class_names;
  std::shared_ptr<data::CharText> text;  // text datasets: the vocabulary, for samples
};

// fashion-mnist (default root: Debian's package), mnist, cifar10, csv, synthetic,
// text (windows of seq_len characters of a file, or of the built-in sample).
// A dataset naming more than max_classes classes is an Error (a CSV label of
// 10^9 is a typo, not a billion-way classifier).
LoadedData load_data(const std::string& name, const std::string& root, const std::string& target, uint64_t seed,
                     int64_t seq_len = 64, int64_t max_classes = 1000);
std::vector<std::pair<std::string, std::string>> dataset_list();

}  // namespace ember::train

// The datasets the CLI knows, by name.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ember/creation.h"
#include "ember/data.h"
#include "ember/ops.h"
#include "ember/models.h"

namespace ember::cli {

struct LoadedData {
  data::DatasetPtr train, test;
  models::ModelSpec spec;              // input shape and class count
  std::vector<std::string> class_names;
};

// fashion-mnist (default root: Debian's package), mnist, cifar10, csv, synthetic.
LoadedData load_data(const std::string& name, const std::string& root, const std::string& target, uint64_t seed);
std::vector<std::pair<std::string, std::string>> dataset_list();

}  // namespace ember::cli

// An epoch's metrics as a line of metrics.jsonl, and back.
#include <nlohmann/json.hpp>
#include <set>

#include "ember/train.h"

namespace ember::train {

using Json = nlohmann::json;

std::string metrics_line(const EpochMetrics& m) {
  Json row = {{"epoch", m.epoch + 1}, {"lr", m.lr}, {"train_loss", m.train_loss}, {"train_acc", m.train_acc},
              {"epoch_seconds", m.seconds}, {"train_samples_per_sec", m.samples_per_sec}};
  row["val_loss"] = m.val_loss ? Json(*m.val_loss) : Json();
  row["val_acc"] = m.val_acc ? Json(*m.val_acc) : Json();
  for (const auto& [key, value] : m.extra) row[key] = value;
  return row.dump();
}

EpochMetrics parse_metrics_line(const std::string& line, const std::string& path) {
  try {
    const Json row = Json::parse(line);
    EpochMetrics m;
    m.epoch = row.at("epoch").get<int64_t>() - 1;
    m.lr = row.at("lr"), m.train_loss = row.at("train_loss"), m.train_acc = row.at("train_acc");
    m.seconds = row.at("epoch_seconds"), m.samples_per_sec = row.at("train_samples_per_sec");
    if (!row.at("val_loss").is_null()) m.val_loss = row.at("val_loss").get<double>(), m.val_acc = row.at("val_acc").get<double>();
    static const std::set<std::string> fixed = {"epoch", "lr", "train_loss", "train_acc", "epoch_seconds",
                                                "train_samples_per_sec", "val_loss", "val_acc"};
    for (const auto& [key, value] : row.items())
      if (!fixed.count(key) && value.is_number()) m.extra[key] = value.get<double>();
    return m;
  } catch (const Json::exception& e) {
    detail::fail("metrics: ", path, " holds a line that is not an epoch's metrics (", e.what(), ")");
  }
}

}  // namespace ember::train

// L1 penalty and early stopping.
#include "ember/optim/regularization.h"

#include <sstream>

#include "ember/creation.h"
#include "ember/ops.h"

namespace ember::optim {

Tensor l1_penalty(const std::vector<Tensor>& parameters, double strength) {
  EMBER_CHECK(strength >= 0, "l1_penalty: strength must be non-negative, got ", strength);
  EMBER_CHECK(!parameters.empty(), "l1_penalty: no parameters");
  Tensor total;
  for (const Tensor& p : parameters) {
    const Tensor term = abs(p).sum();
    total = total.defined() ? total + term : term;
  }
  return total * strength;
}

EarlyStopping::EarlyStopping(EarlyStoppingOptions o) : options_(std::move(o)) {
  EMBER_CHECK(options_.mode == "min" || options_.mode == "max", "EarlyStopping: mode must be 'min' or 'max', got '",
              options_.mode, "'");
  EMBER_CHECK(options_.patience >= 0 && options_.min_delta >= 0, "EarlyStopping: patience and min_delta must be non-negative");
  best_ = options_.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

bool EarlyStopping::step(double value, nn::Module* model) {
  ++epoch_;
  const bool better = options_.mode == "min" ? value < best_ - options_.min_delta : value > best_ + options_.min_delta;
  if (better) {
    best_ = value;
    best_epoch_ = epoch_;
    bad_epochs_ = 0;
    if (options_.restore_best && model) {
      best_state_.clear();
      for (auto& [name, t] : model->state_dict()) best_state_.push_back({name, t.clone()});
    }
  } else {
    ++bad_epochs_;
  }
  return should_stop();
}

Metadata EarlyStopping::state_dict() const {
  std::ostringstream best;
  best.precision(17);
  best << best_;
  return {{"best", best.str()}, {"epoch", std::to_string(epoch_)}, {"best_epoch", std::to_string(best_epoch_)},
          {"bad_epochs", std::to_string(bad_epochs_)}};
}

void EarlyStopping::load_state_dict(const Metadata& m) {
  const std::string where = "EarlyStopping.load_state_dict";
  best_ = metadata_double(m, "best", where);
  epoch_ = metadata_int(m, "epoch", where);
  best_epoch_ = metadata_int(m, "best_epoch", where);
  bad_epochs_ = metadata_int(m, "bad_epochs", where);
}

void EarlyStopping::restore(nn::Module& model) const {
  EMBER_CHECK(options_.restore_best, "EarlyStopping.restore: construct with restore_best = true to keep the best weights");
  EMBER_CHECK(!best_state_.empty(), "EarlyStopping.restore: no best state recorded yet (pass the model to step())");
  model.load_state_dict(best_state_);
}

}  // namespace ember::optim

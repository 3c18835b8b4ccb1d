#include "ember/tune/trial.h"

#include "ember/error.h"
#include "ember/tune/study.h"
#include "tune/json_values.h"

namespace ember::tune {

double Trial::suggest_float(const std::string& name, double low, double high, FloatOptions options) {
  return std::get<double>(suggest(name, FloatDistribution{low, high, options.log, options.step}));
}

int64_t Trial::suggest_int(const std::string& name, int64_t low, int64_t high, IntOptions options) {
  return std::get<int64_t>(suggest(name, IntDistribution{low, high, options.log, options.step}));
}

ParamValue Trial::suggest_categorical(const std::string& name, const std::vector<ParamValue>& choices) {
  return suggest(name, CategoricalDistribution{choices});
}

std::string Trial::suggest_categorical(const std::string& name, const std::vector<std::string>& choices) {
  return std::get<std::string>(suggest(name, CategoricalDistribution{{choices.begin(), choices.end()}}));
}

ParamValue Trial::suggest(const std::string& name, const Distribution& distribution) {
  return study_->suggest(*this, name, distribution);
}

void Trial::report(double value, int64_t step) { study_->report(*this, value, step); }
bool Trial::should_prune() { return study_->should_prune(*this); }

void Trial::set_user_attr(const std::string& key, const ParamValue& value) {
  study_->set_user_attr(*this, key, detail::dump_line(detail::value_json(value)));
}

FrozenTrial Trial::frozen() const { return study_->frozen(*this); }

}  // namespace ember::tune

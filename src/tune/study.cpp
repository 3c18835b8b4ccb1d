#include "ember/tune/study.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <thread>

#include "ember/error.h"
#include "tune/journal.h"

namespace ember::tune {

namespace {

double single_value(const Distribution& distribution) {
  if (const auto* f = std::get_if<FloatDistribution>(&distribution)) return f->low;
  if (const auto* i = std::get_if<IntDistribution>(&distribution)) return static_cast<double>(i->low);
  return 0;  // the one choice
}

const char* direction_word(Direction d) { return d == Direction::minimize ? "minimizes" : "maximizes"; }

}  // namespace

Study::Study(StudyOptions options) : options_(std::move(options)) {
  EMBER_CHECK(!options_.name.empty(), "tune: a study needs a name");
  if (!options_.sampler) options_.sampler = std::make_shared<TpeSampler>(0);
  if (!options_.pruner) options_.pruner = std::make_shared<MedianPruner>();
  journal_ = std::make_unique<detail::Journal>(options_.journal);
  bool created = false;
  study_id_ = journal_->open_study(options_.name, options_.direction, &created);
  const Direction stored = journal_->direction(study_id_);
  EMBER_CHECK(stored == options_.direction, "tune: the study '", options_.name, "' in ", options_.journal, " ",
              direction_word(stored), " its objective; it was opened to ",
              options_.direction == Direction::minimize ? "minimize" : "maximize");
}

Study::~Study() = default;

Trial Study::ask() {
  std::lock_guard lock(mutex_);
  const int64_t id = journal_->create_trial(study_id_);
  return Trial(this, id, journal_->trial(id).number);
}

ParamValue Study::suggest(Trial& trial, const std::string& name, const Distribution& asked) {
  const Distribution distribution = checked(asked, name);
  std::lock_guard lock(mutex_);
  const FrozenTrial t = journal_->trial(trial.trial_id_);
  EMBER_CHECK(!t.finished(), "tune: trial ", t.number, " has finished; it suggests nothing more");
  if (auto it = t.distributions.find(name); it != t.distributions.end()) {
    EMBER_CHECK(compatible(it->second, distribution), "tune: trial ", t.number, " suggested '", name, "' from ",
                distribution_json(it->second), " before; now from ", distribution_json(distribution));
    return to_external(it->second, t.params.at(name));
  }
  double internal = single_value(distribution);
  if (!single(distribution)) {
    const std::vector<FrozenTrial> history =
        options_.pruner->comparable(journal_->trials(study_id_), options_.name, t);
    const SamplingContext ctx{options_.direction, history, t, [&](const std::string& key, const std::string& json) {
                                journal_->set_system_attr(trial.trial_id_, key, json);
                              }};
    internal = options_.sampler->sample(ctx, name, distribution);
  }
  journal_->set_param(trial.trial_id_, name, internal, distribution);
  return to_external(distribution, internal);
}

void Study::report(Trial& trial, double value, int64_t step) {
  EMBER_CHECK(step >= 0, "tune: trial ", trial.number_, ": a step cannot be negative, got ", step);
  std::lock_guard lock(mutex_);
  const FrozenTrial& t = journal_->trial(trial.trial_id_);
  EMBER_CHECK(!t.finished(), "tune: trial ", t.number, " has finished; it takes no more values");
  if (t.intermediate_values.count(step)) return;  // a step keeps its first value, as in Optuna
  journal_->set_intermediate_value(trial.trial_id_, step, value);
}

bool Study::should_prune(Trial& trial) {
  std::lock_guard lock(mutex_);
  const FrozenTrial t = journal_->trial(trial.trial_id_);
  const PruneContext ctx{options_.direction, options_.name, journal_->trials(study_id_),
                         [&](const std::string& key, double value) {
                           journal_->set_system_attr(trial.trial_id_, key,
                                                     detail::dump_line(detail::number_json(value)));
                         }};
  return options_.pruner->prune(ctx, t);
}

void Study::set_user_attr(Trial& trial, const std::string& key, const std::string& json) {
  std::lock_guard lock(mutex_);
  journal_->set_user_attr(trial.trial_id_, key, json);
}

FrozenTrial Study::frozen(const Trial& trial) const {
  std::lock_guard lock(mutex_);
  return journal_->trial(trial.trial_id_);
}

void Study::finish(Trial& trial, TrialState state, std::optional<double> value, const std::string& fail_reason) {
  std::lock_guard lock(mutex_);
  const FrozenTrial& t = journal_->trial(trial.trial_id_);
  EMBER_CHECK(!t.finished(), "tune: trial ", t.number, " has already finished (", state_name(t.state), ")");
  std::string reason = fail_reason;
  if (state == TrialState::complete && (!value || !std::isfinite(*value))) {
    reason = "the objective returned " + (value ? std::to_string(*value) : std::string("no value")) +
             ", which is not a finite number";
    state = TrialState::fail;
  }
  if (state == TrialState::pruned) {
    // A pruned trial's value is its last intermediate value, when that is a number.
    value.reset();
    if (auto last = t.last_step(); last && std::isfinite(t.intermediate_values.at(*last)))
      value = t.intermediate_values.at(*last);
  }
  if (state == TrialState::fail) value.reset();
  if (!reason.empty())
    journal_->set_system_attr(trial.trial_id_, "fail_reason", detail::dump_line(detail::Json(reason)));
  journal_->set_state(trial.trial_id_, state, value);
}

void Study::tell(Trial& trial, double value) { finish(trial, TrialState::complete, value); }

void Study::tell(Trial& trial, TrialState state) {
  EMBER_CHECK(state == TrialState::pruned || state == TrialState::fail,
              "tune: tell(trial, state) takes PRUNED or FAIL (a COMPLETE trial needs its value), got ",
              state_name(state));
  finish(trial, state, std::nullopt);
}

void Study::stop() {
  std::lock_guard lock(mutex_);
  stop_requested_ = true;
}

void Study::optimize(const Objective& objective, OptimizeOptions options) {
  EMBER_CHECK(options.n_jobs >= 1, "tune: optimize needs n_jobs >= 1, got ", options.n_jobs);
  EMBER_CHECK(options.n_trials >= 0 && options.timeout_seconds >= 0,
              "tune: optimize needs n_trials >= 0 and timeout_seconds >= 0");
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = false;
  }
  const auto start = std::chrono::steady_clock::now();
  int64_t started = 0;
  std::exception_ptr first_error;
  std::mutex callback_mutex;

  auto next_trial = [&]() -> std::optional<Trial> {
    std::lock_guard lock(mutex_);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (stop_requested_ || (first_error && !options.catch_errors) ||
        (options.n_trials > 0 && started >= options.n_trials) ||
        (options.timeout_seconds > 0 && elapsed >= options.timeout_seconds) ||
        options_.sampler->exhausted(journal_->trials(study_id_)))
      return std::nullopt;
    ++started;
    const int64_t id = journal_->create_trial(study_id_);
    return Trial(this, id, journal_->trial(id).number);
  };
  auto worker = [&] {
    while (std::optional<Trial> trial = next_trial()) {
      try {
        const double value = objective(*trial);
        finish(*trial, TrialState::complete, value);
      } catch (const TrialPruned&) {
        finish(*trial, TrialState::pruned, std::nullopt);
      } catch (const std::exception& e) {
        finish(*trial, TrialState::fail, std::nullopt, e.what());
        if (!options.catch_errors) {
          std::lock_guard lock(mutex_);
          if (!first_error) first_error = std::current_exception();
        }
      }
      if (options.on_trial_end) {
        std::lock_guard lock(callback_mutex);
        options.on_trial_end(trial->frozen());
      }
    }
  };
  if (options.n_jobs == 1) {
    worker();
  } else {
    // Each worker thread's errors are its trials' FAIL records; anything else
    // (the journal failing) ends that worker and is rethrown here.
    std::vector<std::thread> threads;
    std::vector<std::exception_ptr> crashes(static_cast<size_t>(options.n_jobs));
    for (int64_t j = 0; j < options.n_jobs; ++j)
      threads.emplace_back([&, j] {
        try {
          worker();
        } catch (...) {
          crashes[static_cast<size_t>(j)] = std::current_exception();
          stop();
        }
      });
    for (std::thread& t : threads) t.join();
    for (const std::exception_ptr& crash : crashes)
      if (crash) std::rethrow_exception(crash);
  }
  if (first_error) std::rethrow_exception(first_error);
}

int64_t Study::fail_stale_trials() {
  std::lock_guard lock(mutex_);
  const std::vector<int64_t> stale = journal_->foreign_running_trials(study_id_);
  for (int64_t id : stale) {
    journal_->set_system_attr(id, "fail_reason",
                              detail::dump_line(detail::Json("its process ended while the trial ran")));
    journal_->set_state(id, TrialState::fail, std::nullopt);
  }
  return static_cast<int64_t>(stale.size());
}

std::vector<FrozenTrial> Study::trials() const {
  std::lock_guard lock(mutex_);
  return journal_->trials(study_id_);
}

FrozenTrial Study::best_trial() const {
  const std::vector<FrozenTrial> all = trials();
  const FrozenTrial* best = nullptr;
  for (const FrozenTrial& t : all) {
    if (t.state != TrialState::complete || !t.value) continue;
    if (!best || (options_.direction == Direction::minimize ? *t.value < *best->value : *t.value > *best->value))
      best = &t;
  }
  EMBER_CHECK(best, "tune: study '", options_.name, "' has no completed trial yet (", all.size(), " trials)");
  return *best;
}

std::vector<std::string> Study::journal_warnings() const {
  std::lock_guard lock(mutex_);
  return journal_->warnings();
}

}  // namespace ember::tune

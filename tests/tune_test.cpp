// ember::tune against Optuna 3.1 (tests/golden/make_tune_fixtures.py): the
// pruners' decisions on a fixed table of learning curves, journals in both
// directions, and TPE's search quality on an analytic objective; then the
// API's own rules and errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "ember/error.h"
#include "ember/tune.h"

namespace fs = std::filesystem;
using namespace ember::tune;
using Json = nlohmann::json;

namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN();

Json read_json(const std::string& name) {
  std::ifstream in(std::string(EMBER_GOLDEN_DIR) + "/" + name);
  EXPECT_TRUE(in) << name;
  return Json::parse(in);
}

double number(const Json& j) { return j.is_string() && j.get<std::string>() == "nan" ? kNan : j.get<double>(); }

std::shared_ptr<Pruner> make_pruner(const Json& spec) {
  const std::string kind = spec.at("kind");
  if (kind == "median" || kind == "percentile")
    return std::make_shared<PercentilePruner>(PercentileOptions{
        .percentile = kind == "median" ? 50.0 : spec.at("percentile").get<double>(),
        .n_startup_trials = spec.at("n_startup_trials"),
        .n_warmup_steps = spec.at("n_warmup_steps"),
        .interval_steps = spec.at("interval_steps"),
        .n_min_trials = spec.at("n_min_trials")});
  if (kind == "successive_halving") {
    SuccessiveHalvingOptions o{.reduction_factor = spec.at("reduction_factor"),
                               .min_early_stopping_rate = spec.at("min_early_stopping_rate"),
                               .bootstrap_count = spec.at("bootstrap_count")};
    if (!spec.at("min_resource").is_string()) o.min_resource = spec.at("min_resource").get<int64_t>();
    return std::make_shared<SuccessiveHalvingPruner>(o);
  }
  if (kind == "hyperband") {
    HyperbandOptions o{.min_resource = spec.at("min_resource"), .reduction_factor = spec.at("reduction_factor"),
                       .bootstrap_count = spec.at("bootstrap_count")};
    if (!spec.at("max_resource").is_string()) o.max_resource = spec.at("max_resource").get<int64_t>();
    return std::make_shared<HyperbandPruner>(o);
  }
  EXPECT_EQ(kind, "nop");
  return std::make_shared<NopPruner>();
}

std::string temp_path(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("ember_tune_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::remove(dir / name);
  return (dir / name).string();
}

}  // namespace

TEST(TunePruners, DecideAsOptunaDoesAtEveryStep) {
  const Json fixture = read_json("tune_pruners.json");
  const Json& curves = fixture.at("curves");
  int64_t pruned = 0, decisions = 0;
  for (const Json& c : fixture.at("cases")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    auto pruner = make_pruner(c.at("pruner"));
    Study study({.name = c.at("study_name"),
                 .direction = c.at("direction") == "minimize" ? Direction::minimize : Direction::maximize,
                 .sampler = std::make_shared<RandomSampler>(0),
                 .pruner = pruner});
    for (size_t t = 0; t < curves.size(); ++t) {
      const Json& expected = c.at("trials").at(t);
      std::vector<bool> got;
      Trial trial = study.ask();
      bool stopped = false;
      for (const Json& point : curves.at(t)) {
        trial.report(number(point.at(1)), point.at(0).get<int64_t>());
        got.push_back(trial.should_prune());
        if (got.back()) {
          study.tell(trial, TrialState::pruned);
          stopped = true;
          break;
        }
      }
      if (!stopped) study.tell(trial, number(curves.at(t).back().at(1)));
      EXPECT_EQ(got, expected.at("decisions").get<std::vector<bool>>()) << "trial " << t;
      const FrozenTrial frozen = trial.frozen();
      EXPECT_STREQ(state_name(frozen.state), expected.at("state").get<std::string>().c_str()) << "trial " << t;
      if (expected.at("value").is_null()) {
        EXPECT_FALSE(frozen.value) << "trial " << t;
      } else {
        ASSERT_TRUE(frozen.value) << "trial " << t;
        EXPECT_DOUBLE_EQ(*frozen.value, number(expected.at("value"))) << "trial " << t;
      }
      pruned += stopped, decisions += static_cast<int64_t>(got.size());
    }
    // Hyperband's brackets, once it has set them up.
    for (size_t t = 0; c.contains("brackets") && t < curves.size(); ++t) {
      EXPECT_EQ(dynamic_cast<HyperbandPruner*>(pruner.get())->bracket(study.name(), static_cast<int64_t>(t)),
                c.at("brackets").at(t).get<int64_t>())
          << "trial " << t;
    }
  }
  EXPECT_GT(pruned, 50);  // the table exercises the pruners, not only their start-up
  EXPECT_GT(decisions, 1000);
}

// What Optuna read back from a journal it wrote, against what Ember reads.
void expect_study_matches(const Study& study, const Json& expected) {
  const std::vector<FrozenTrial> trials = study.trials();
  ASSERT_EQ(trials.size(), expected.at("trials").size()) << study.name();
  for (size_t i = 0; i < trials.size(); ++i) {
    const FrozenTrial& t = trials[i];
    const Json& e = expected.at("trials").at(i);
    SCOPED_TRACE(study.name() + " trial " + std::to_string(t.number));
    EXPECT_EQ(t.number, e.at("number").get<int64_t>());
    EXPECT_STREQ(state_name(t.state), e.at("state").get<std::string>().c_str());
    if (e.at("value").is_null()) {
      EXPECT_FALSE(t.value);
    } else {
      ASSERT_TRUE(t.value);
      EXPECT_DOUBLE_EQ(*t.value, number(e.at("value")));
    }
    ASSERT_EQ(t.params.size(), e.at("params").size());
    for (const auto& [name, value] : e.at("params").items()) {
      const ParamValue got = t.param(name);
      ParamValue want = std::monostate{};
      if (value.is_boolean()) want = value.get<bool>();
      else if (value.is_number_integer()) want = value.get<int64_t>();
      else if (value.is_number()) want = value.get<double>();
      else if (value.is_string()) want = value.get<std::string>();
      EXPECT_EQ(got, want) << name;
      EXPECT_EQ(Json::parse(distribution_json(t.distributions.at(name))),
                Json::parse(e.at("distributions").at(name).get<std::string>()))
          << name;
    }
    const Json& steps = e.at("intermediate_values");
    ASSERT_EQ(t.intermediate_values.size(), steps.size());
    for (const Json& s : steps) {
      const double v = t.intermediate_values.at(s.at(0).get<int64_t>());
      if (std::isnan(number(s.at(1)))) {
        EXPECT_TRUE(std::isnan(v));
      } else {
        EXPECT_DOUBLE_EQ(v, number(s.at(1)));
      }
    }
    ASSERT_EQ(t.user_attrs.size(), e.at("user_attrs").size());
    for (const auto& [key, value] : e.at("user_attrs").items()) EXPECT_EQ(Json::parse(t.user_attrs.at(key)), value) << key;
  }
  if (expected.contains("best_trial")) {
    EXPECT_EQ(study.best_trial().number, expected.at("best_trial").get<int64_t>());
  }
}

TEST(TuneJournal, ReadsAJournalOptunaWrote) {
  const Json expected = read_json("tune_optuna_journal.json");
  // A copy: opening a journal may append to it.
  const std::string path = temp_path("optuna.log");
  fs::copy_file(std::string(EMBER_GOLDEN_DIR) + "/tune_optuna_journal.log", path);
  for (const Json& s : expected.at("studies")) {
    Study study({.name = s.at("study_name"),
                 .direction = s.at("direction") == "minimize" ? Direction::minimize : Direction::maximize,
                 .journal = path});
    expect_study_matches(study, s);
    EXPECT_TRUE(study.journal_warnings().empty());
  }
}

// Ember writes a study with every kind of parameter, state and value; Optuna
// (where python3 has it) loads it and compares with what Ember says it holds.
TEST(TuneJournal, OptunaLoadsAJournalEmberWrote) {
  const std::string path = temp_path("ember.log"), expected_path = temp_path("expected.json");
  Json studies = Json::array();
  for (Direction direction : {Direction::minimize, Direction::maximize}) {
    const std::string name = direction == Direction::minimize ? "ember-min" : "ember-max";
    Study study({.name = name, .direction = direction, .sampler = std::make_shared<RandomSampler>(3),
                 .journal = path});
    for (int i = 0; i < 6; ++i) {
      Trial t = study.ask();
      const double lr = t.suggest_float("lr", 1e-5, 1e-1, {.log = true});
      const double dropout = t.suggest_float("dropout", 0, 1, {.step = 0.25});
      const int64_t layers = t.suggest_int("layers", 1, 6);
      const int64_t batch = t.suggest_int("batch", 8, 512, {.log = true});
      t.suggest_categorical("opt", std::vector<ParamValue>{std::string("adam"), int64_t{3}, 0.5, true, std::monostate{}});
      t.set_user_attr("note", std::string("trial ") + std::to_string(i));
      t.report(lr * 10, 0);
      t.report(i == 2 ? kNan : dropout + 0.1, 1);
      if (i == 1) study.tell(t, TrialState::pruned);
      else if (i == 3) study.tell(t, TrialState::fail);
      else if (i == 5) break;  // left running
      else study.tell(t, lr + dropout + static_cast<double>(layers + batch) / 1000);
    }
    Json trials = Json::array();
    for (const FrozenTrial& t : study.trials()) {
      Json params = Json::object(), distributions = Json::object();
      for (const auto& [name, internal] : t.params) {
        const ParamValue v = t.param(name);
        params[name] = std::visit(
            [](const auto& x) -> Json {
              if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::monostate>) return nullptr;
              else return x;
            },
            v);
        distributions[name] = distribution_json(t.distributions.at(name));
      }
      Json steps = Json::array();
      for (const auto& [step, value] : t.intermediate_values)
        steps.push_back({step, std::isnan(value) ? Json("nan") : Json(value)});
      Json attrs = Json::object();
      for (const auto& [key, json] : t.user_attrs) attrs[key] = Json::parse(json);
      trials.push_back({{"number", t.number}, {"state", state_name(t.state)},
                        {"value", t.value ? Json(*t.value) : Json()}, {"params", params},
                        {"distributions", distributions}, {"intermediate_values", steps}, {"user_attrs", attrs}});
    }
    studies.push_back({{"study_name", name},
                       {"direction", direction == Direction::minimize ? "minimize" : "maximize"},
                       {"best_trial", study.best_trial().number},
                       {"trials", trials}});
  }
  std::ofstream(expected_path) << Json{{"studies", studies}}.dump(1);
  // Ember reads its own journal back the same way.
  for (const Json& s : studies) {
    Study again({.name = s.at("study_name"),
                 .direction = s.at("direction") == "minimize" ? Direction::minimize : Direction::maximize,
                 .journal = path});
    expect_study_matches(again, s);
  }
  if (std::system("/usr/bin/python3 -c 'import optuna' > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-optuna is not installed, so Optuna cannot load the journal here "
                    "(Ember's own reading of it was checked)";
  const std::string command = "/usr/bin/python3 " + std::string(EMBER_SOURCE_DIR) + "/tests/tune_optuna_load.py " +
                              path + " " + expected_path + " 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

namespace {

// The fixture's analytic objective (tests/golden/make_tune_fixtures.py).
double analytic(Trial& trial) {
  const double lr = trial.suggest_float("lr", 1e-5, 1.0, {.log = true});
  const int64_t units = trial.suggest_int("units", 1, 128);
  const std::string act = trial.suggest_categorical("act", std::vector<std::string>{"relu", "tanh", "sigmoid"});
  const double penalty = act == "relu" ? 0.0 : act == "tanh" ? 0.3 : 0.8;
  return std::pow(std::log10(lr) + 2.5, 2) + std::pow((static_cast<double>(units) - 37) / 16, 2) + penalty;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

TEST(TuneTpe, FindsAsGoodAnOptimumAsOptunaAndBeatsRandomSearch) {
  const Json fixture = read_json("tune_tpe_quality.json");
  const auto seeds = fixture.at("seeds").get<std::vector<int64_t>>();
  const int64_t n_trials = fixture.at("n_trials");
  std::vector<double> tpe, random;
  for (int64_t seed : seeds) {
    for (bool use_tpe : {true, false}) {
      std::shared_ptr<Sampler> sampler = use_tpe ? std::shared_ptr<Sampler>(std::make_shared<TpeSampler>(seed))
                                                 : std::make_shared<RandomSampler>(seed);
      Study study({.sampler = sampler, .pruner = std::make_shared<NopPruner>()});
      study.optimize(analytic, n_trials);
      (use_tpe ? tpe : random).push_back(*study.best_trial().value);
    }
  }
  const double ours = median(tpe), theirs = fixture.at("tpe_median").get<double>();
  RecordProperty("tpe_median", std::to_string(ours));
  std::cout << "median best over " << seeds.size() << " seeds of " << n_trials << " trials: Ember TPE " << ours
            << ", Optuna TPE " << theirs << "; Ember random " << median(random) << ", Optuna random "
            << fixture.at("random_median").get<double>() << "\n";
  EXPECT_LE(ours, 1.25 * theirs);
  EXPECT_LT(ours, median(random));
  EXPECT_LT(theirs, fixture.at("random_median").get<double>());
}

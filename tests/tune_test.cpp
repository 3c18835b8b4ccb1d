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
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

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

TEST(TuneDistributions, CheckTheirBoundsAndSnapHighOntoTheStep) {
  EXPECT_THAT([] { checked(FloatDistribution{1, 0}, "lr"); },
              testing::ThrowsMessage<ember::Error>(testing::HasSubstr("parameter 'lr': the float range [1, 0] is empty")));
  EXPECT_THAT([] { checked(FloatDistribution{0, 1, true}, "lr"); },
              testing::ThrowsMessage<ember::Error>(testing::HasSubstr("a log-scaled range needs low > 0")));
  EXPECT_THAT([] { checked(FloatDistribution{1e-3, 1, true, 0.1}, "lr"); },
              testing::ThrowsMessage<ember::Error>(testing::HasSubstr("either log-scaled or on a step")));
  EXPECT_THAT([] { checked(IntDistribution{0, 8, true}, "n"); },
              testing::ThrowsMessage<ember::Error>(testing::HasSubstr("needs low >= 1")));
  EXPECT_THAT([] { checked(CategoricalDistribution{}, "act"); },
              testing::ThrowsMessage<ember::Error>(testing::HasSubstr("no choices")));
  EXPECT_EQ(std::get<IntDistribution>(checked(IntDistribution{0, 10, false, 3}, "n")).high, 9);
  EXPECT_DOUBLE_EQ(*std::get<FloatDistribution>(checked(FloatDistribution{0, 1, false, 0.3}, "x")).step, 0.3);
  EXPECT_NEAR(std::get<FloatDistribution>(checked(FloatDistribution{0, 1, false, 0.3}, "x")).high, 0.9, 1e-12);
  EXPECT_DOUBLE_EQ(std::get<FloatDistribution>(checked(FloatDistribution{0, 1, false, 0.25}, "x")).high, 1.0);
  // Optuna's JSON form, both ways.
  const Distribution d = IntDistribution{8, 512, true, 1};
  EXPECT_TRUE(compatible(distribution_from_json(distribution_json(d)), d));
  EXPECT_FALSE(compatible(FloatDistribution{0, 1}, FloatDistribution{1e-3, 1, true}));
  EXPECT_FALSE(compatible(CategoricalDistribution{{int64_t{1}}}, CategoricalDistribution{{int64_t{2}}}));
}

TEST(TuneSamplers, RandomDrawsStayOnTheDistributionsValues) {
  std::mt19937_64 g = trial_generator(1, 0, "x");
  std::set<double> ints, steps;
  for (int i = 0; i < 2000; ++i) {
    const double f = sample_uniformly(FloatDistribution{1e-4, 1e-1, true}, g);
    EXPECT_TRUE(f >= 1e-4 && f <= 1e-1) << f;
    ints.insert(sample_uniformly(IntDistribution{2, 8, false, 2}, g));
    steps.insert(sample_uniformly(FloatDistribution{0, 1, false, 0.25}, g));
    const double log_int = sample_uniformly(IntDistribution{1, 1000, true}, g);
    EXPECT_EQ(log_int, std::round(log_int));
    EXPECT_TRUE(log_int >= 1 && log_int <= 1000);
  }
  EXPECT_EQ(ints, (std::set<double>{2, 4, 6, 8}));
  EXPECT_EQ(steps, (std::set<double>{0, 0.25, 0.5, 0.75, 1}));
}

TEST(TuneSamplers, GridVisitsEveryPointOnceThenStopsTheStudy) {
  auto grid = std::make_shared<GridSampler>(std::map<std::string, std::vector<ParamValue>>{
      {"lr", {0.1, 0.01}}, {"batch", {int64_t{32}, int64_t{64}, int64_t{128}}}});
  EXPECT_EQ(grid->size(), 6);
  Study study({.sampler = grid});
  std::set<std::pair<double, int64_t>> seen;
  study.optimize(
      [&](Trial& t) {
        const double lr = t.suggest_categorical("lr", std::vector<ParamValue>{0.1, 0.01}) == ParamValue(0.1) ? 0.1 : 0.01;
        const int64_t batch = t.suggest_int("batch", 32, 128, {.step = 32});
        EXPECT_TRUE(seen.insert({lr, batch}).second);
        return lr * static_cast<double>(batch);
      },
      100);
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ(study.trials().size(), 6u);  // the grid ran out: the study stopped
  Study other({.sampler = grid});
  EXPECT_THAT([&] {
                other.optimize([](Trial& t) { return t.suggest_float("dropout", 0, 1); },
                               {.n_trials = 1, .catch_errors = false});
              },
              testing::ThrowsMessage<ember::Error>(testing::HasSubstr("no values for parameter 'dropout'")));
}

TEST(TuneStudy, SuggestKeepsOneValueAndOneKindPerParameter) {
  Study study({});
  Trial t = study.ask();
  const double lr = t.suggest_float("lr", 1e-4, 1, {.log = true});
  EXPECT_EQ(t.suggest_float("lr", 1e-4, 1, {.log = true}), lr);
  EXPECT_THAT([&] { t.suggest_int("lr", 1, 4); },
              testing::ThrowsMessage<ember::Error>(testing::HasSubstr("suggested 'lr' from")));
  EXPECT_EQ(t.suggest_int("one", 3, 3), 3);  // a single value needs no sampler
  t.report(0.5, 0);
  t.report(9.0, 0);  // a step keeps its first value
  EXPECT_EQ(t.frozen().intermediate_values.at(0), 0.5);
  EXPECT_THAT([&] { t.report(1, -1); }, testing::ThrowsMessage<ember::Error>(testing::HasSubstr("cannot be negative")));
  study.tell(t, 0.25);
  EXPECT_THAT([&] { t.report(1, 1); }, testing::ThrowsMessage<ember::Error>(testing::HasSubstr("has finished")));
  EXPECT_THAT([&] { study.tell(t, 0.5); }, testing::ThrowsMessage<ember::Error>(testing::HasSubstr("already finished")));
  // Over the study, a parameter keeps its kind.
  Trial u = study.ask();
  EXPECT_THAT([&] { u.suggest_categorical("lr", std::vector<std::string>{"a", "b"}); },
              testing::ThrowsMessage<ember::Error>(testing::HasSubstr("keeps its kind")));
  EXPECT_EQ(study.best_trial().number, 0);
}

TEST(TuneStudy, RecordsFailuresAndNonFiniteValuesAndGoesOn) {
  Study study({.pruner = std::make_shared<NopPruner>()});
  std::atomic<int> calls = 0;
  study.optimize(
      [&](Trial& t) -> double {
        const int n = calls++;
        t.suggest_float("x", 0, 1);
        if (n == 1) throw std::runtime_error("the run crashed");
        if (n == 2) return kNan;
        if (n == 3) throw TrialPruned();
        return 1.0 + n;
      },
      {.n_trials = 5});
  const auto trials = study.trials();
  ASSERT_EQ(trials.size(), 5u);
  EXPECT_EQ(trials[1].state, TrialState::fail);
  EXPECT_THAT(trials[1].system_attrs.at("fail_reason"), testing::HasSubstr("the run crashed"));
  EXPECT_EQ(trials[2].state, TrialState::fail);
  EXPECT_THAT(trials[2].system_attrs.at("fail_reason"), testing::HasSubstr("not a finite number"));
  EXPECT_EQ(trials[3].state, TrialState::pruned);
  EXPECT_FALSE(trials[3].value);  // it reported nothing
  EXPECT_EQ(study.best_trial().number, 0);
  // Not caught: the trial is recorded FAIL, then the error comes out.
  EXPECT_THROW(study.optimize([](Trial&) -> double { throw std::runtime_error("boom"); },
                              {.n_trials = 3, .catch_errors = false}),
               std::runtime_error);
  EXPECT_EQ(study.trials().size(), 6u);
  Study empty({});
  EXPECT_THAT([&] { empty.best_trial(); }, testing::ThrowsMessage<ember::Error>(testing::HasSubstr("no completed trial")));
}

TEST(TuneStudy, RunsTrialsInParallelJobs) {
  Study study({.sampler = std::make_shared<RandomSampler>(5)});
  std::atomic<int> running = 0, most = 0;
  study.optimize(
      [&](Trial& t) {
        const int now = ++running;
        for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
        }
        const double x = t.suggest_float("x", -1, 1);
        for (int step = 0; step < 3; ++step) {
          t.report(x * x + 1.0 / (step + 1), step);
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        --running;
        return x * x;
      },
      {.n_trials = 24, .n_jobs = 4});
  EXPECT_EQ(study.trials().size(), 24u);
  EXPECT_GT(most.load(), 1);
  std::set<int64_t> numbers;
  for (const FrozenTrial& t : study.trials()) {
    numbers.insert(t.number);
    EXPECT_TRUE(t.finished());
  }
  EXPECT_EQ(numbers.size(), 24u);
}

TEST(TuneStudy, StopsStartingTrialsAtTheTimeout) {
  Study study({});
  study.optimize(
      [](Trial& t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        return t.suggest_float("x", 0, 1);
      },
      {.n_trials = 1000, .timeout_seconds = 0.2});
  EXPECT_GE(study.trials().size(), 2u);
  EXPECT_LT(study.trials().size(), 20u);
}

TEST(TuneJournal, ResumesAStudyAndFailsTheTrialsADeadProcessLeftRunning) {
  const std::string path = temp_path("resume.log");
  {
    Study first({.name = "s", .journal = path});
    first.optimize([](Trial& t) { return t.suggest_float("x", 0, 1); }, 3);
    Trial left = first.ask();  // its process "dies" with it running
    left.report(0.5, 0);
  }
  Study again({.name = "s", .journal = path});
  EXPECT_EQ(again.fail_stale_trials(), 1);
  again.optimize([](Trial& t) { return t.suggest_float("x", 0, 1); }, 2);
  const auto trials = again.trials();
  ASSERT_EQ(trials.size(), 6u);
  EXPECT_EQ(trials[3].state, TrialState::fail);
  EXPECT_THAT(trials[3].system_attrs.at("fail_reason"), testing::HasSubstr("process ended"));
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(trials[static_cast<size_t>(i)].number, i);
  EXPECT_THAT([&] { Study({.name = "s", .direction = Direction::maximize, .journal = path}); },
              testing::ThrowsMessage<ember::Error>(testing::HasSubstr("minimizes its objective")));
}

TEST(TuneJournal, SkipsACorruptLineNamingItAndKeepsTheRest) {
  const std::string path = temp_path("corrupt.log");
  {
    Study s({.name = "s", .journal = path});
    s.optimize([](Trial& t) { return t.suggest_float("x", 0, 1); }, 2);
  }
  {
    std::ofstream(path, std::ios::app) << "{\"op_code\": 4, \"study_id\": \n";  // a broken line
    std::ofstream(path, std::ios::app) << "{\"op_code\": 4, \"study_id\": 0, \"datetime_start\": null, "
                                          "\"worker_id\": \"other\", \"state\": 1, \"value\": 0.5, \"values\": [0.5]}\n"
                                       << "{\"op_code\": 7, \"trial_id\": 2, \"step\": 0, \"intermediate_value\": NaN,"
                                       << " \"worker_id\": \"other\"}\n"
                                       << "{\"op_code\": 7, \"trial_id\": 1, \"step\": 0, \"intermediate_v";  // cut off
  }
  Study s({.name = "s", .journal = path});
  ASSERT_EQ(s.journal_warnings().size(), 1u);
  EXPECT_THAT(s.journal_warnings()[0], testing::HasSubstr("line 8 is not a journal operation"));
  ASSERT_EQ(s.trials().size(), 3u);
  EXPECT_EQ(s.trials()[2].state, TrialState::complete);  // created finished, and later updates ignored
  EXPECT_TRUE(s.trials()[2].intermediate_values.empty());
  // Appending ends the cut-off line first, so later lines stay readable.
  s.optimize([](Trial& t) { return t.suggest_float("x", 0, 1); }, 1);
  Study reread({.name = "s", .journal = path});
  EXPECT_EQ(reread.trials().size(), 4u);
  EXPECT_EQ(reread.trials()[3].state, TrialState::complete);
  EXPECT_EQ(reread.journal_warnings().size(), 2u);
}

TEST(TuneJournal, RemovesALockAnEmberProcessLeftWhenItDied) {
  const std::string path = temp_path("locked.log");
  {
    Study s({.name = "s", .journal = path});
    s.optimize([](Trial& t) { return t.suggest_float("x", 0, 1); }, 1);
  }
  // A process that held the lock and died (SIGKILL mid-append).
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  ASSERT_EQ(::symlink((path + "#ember-pid-" + std::to_string(dead)).c_str(), (path + ".lock").c_str()), 0);
  Study s({.name = "s", .journal = path});
  s.optimize([](Trial& t) { return t.suggest_float("x", 0, 1); }, 1);
  EXPECT_EQ(s.trials().size(), 2u);
  EXPECT_FALSE(fs::is_symlink(path + ".lock"));
}

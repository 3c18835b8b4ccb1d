// `ember tune`: a hyperparameter search over `ember train` runs. Each trial
// is a training run of its own (DIR/trials/N), started as a child process
// with the sampled settings; it reports the chosen metric after each epoch
// and the pruner may stop it there. The study lives in DIR/journal.log
// (Optuna's journal format), so it can be resumed, and loaded by Optuna.
#include <charconv>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "args.h"
#include "commands.h"
#include "format.h"
#include "stop_signals.h"
#include "train_settings.h"
#include "trial_process.h"
#include "ember/atomic_file.h"
#include "ember/train.h"
#include "ember/train/run_config.h"
#include "ember/tune.h"

namespace ember::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace ember::tune;

const char* kStudyName = "ember-tune";
const std::set<std::string> kMetrics = {"val_loss", "val_acc", "train_loss", "train_acc"};

struct Param {
  std::string name;  // the config key (batch_size)
  std::string flag;  // the train flag (batch-size)
  Distribution distribution;
};

const train::RunSetting* find_setting(const std::string& flag) {
  for (const train::RunSetting& s : train::run_settings())
    if (std::visit([](const auto& x) { return std::string(x.name); }, s) == flag) return &s;
  return nullptr;
}

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, by);) out.push_back(part);
  if (!text.empty() && text.back() == by) out.emplace_back();
  return out;
}

// The whole of `text` as a T (a double or an int64), else an Error from `where` (the flag and its value).
template <class T>
T parse_as(const std::string& text, const std::string& where) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  EMBER_CHECK(error == std::errc() && end == text.data() + text.size() && !text.empty(), where, ": '", text,
              "' is not ", std::is_integral_v<T> ? "an integer" : "a number");
  return value;
}

// NAME=log:LO:HI | float:LO:HI[:STEP] | int:LO:HI[:STEP] | intlog:LO:HI | cat:A,B,...
Param parse_param(const std::string& spec) {
  const size_t eq = spec.find('=');
  EMBER_CHECK(eq != std::string::npos && eq > 0, "--param ", spec, ": expected NAME=KIND:..., e.g. lr=log:1e-4:1e-1");
  Param p;
  p.name = spec.substr(0, eq);
  p.flag = p.name;
  std::replace(p.flag.begin(), p.flag.end(), '_', '-');
  p.name = train::config_key(p.flag.c_str());
  const train::RunSetting* setting = find_setting(p.flag);
  EMBER_CHECK(setting, "--param ", spec, ": '", spec.substr(0, eq), "' is not a setting of ember train (see ember "
              "train --help)");
  const std::string body = spec.substr(eq + 1);
  const size_t colon = body.find(':');
  EMBER_CHECK(colon != std::string::npos, "--param ", spec, ": expected KIND:... after '=' (log, float, int, intlog "
              "or cat)");
  const std::string kind = body.substr(0, colon);
  const std::vector<std::string> parts = split(body.substr(colon + 1), kind == "cat" ? ',' : ':');
  const bool is_int = std::holds_alternative<train::IntegerSetting>(*setting);
  const bool is_number = std::holds_alternative<train::NumberSetting>(*setting);
  if (kind == "cat") {
    CategoricalDistribution c;
    for (const std::string& v : parts) {
      EMBER_CHECK(!v.empty(), "--param ", spec, ": an empty choice");
      if (is_int) c.choices.push_back(parse_as<int64_t>(v, "--param " + spec));
      else if (is_number) c.choices.push_back(parse_as<double>(v, "--param " + spec));
      else if (std::holds_alternative<train::SwitchSetting>(*setting)) {
        EMBER_CHECK(v == "true" || v == "false", "--param ", spec, ": --", p.flag, " is a switch: choices are true, false");
        c.choices.push_back(v == "true");
      } else c.choices.push_back(v);
    }
    p.distribution = c;
  } else {
    EMBER_CHECK(kind == "log" || kind == "float" || kind == "int" || kind == "intlog", "--param ", spec,
                ": unknown kind '", kind, "' (log, float, int, intlog or cat)");
    const bool integer_kind = kind == "int" || kind == "intlog";
    EMBER_CHECK(integer_kind ? is_int : is_number, "--param ", spec, ": --", p.flag, " takes ",
                is_int ? "an integer (int:LO:HI, intlog:LO:HI or cat:...)"
                : is_number ? "a number (float:LO:HI, log:LO:HI or cat:...)"
                            : "a word (cat:A,B,...)");
    const size_t most = kind == "log" || kind == "intlog" ? 2 : 3;
    EMBER_CHECK(parts.size() >= 2 && parts.size() <= most, "--param ", spec, ": expected ", kind, ":LO:HI",
                most == 3 ? "[:STEP]" : "");
    if (integer_kind)
      p.distribution = IntDistribution{parse_as<int64_t>(parts[0], "--param " + spec), parse_as<int64_t>(parts[1], "--param " + spec), kind == "intlog",
                                       parts.size() == 3 ? parse_as<int64_t>(parts[2], "--param " + spec) : 1};
    else
      p.distribution = FloatDistribution{parse_as<double>(parts[0], "--param " + spec), parse_as<double>(parts[1], "--param " + spec), kind == "log",
                                         parts.size() == 3 ? std::optional(parse_as<double>(parts[2], "--param " + spec)) : std::nullopt};
  }
  p.distribution = checked(p.distribution, p.name);
  return p;
}

std::shared_ptr<Pruner> make_pruner(const std::string& spec) {
  const std::vector<std::string> parts = split(spec, ':');
  const std::string kind = parts.empty() ? "" : parts[0];
  std::map<std::string, double> o;
  for (size_t i = 1; i < parts.size(); ++i)
    for (const std::string& kv : split(parts[i], ',')) {
      const size_t eq = kv.find('=');
      EMBER_CHECK(eq != std::string::npos, "--pruner ", spec, ": options look like name=value");
      o[kv.substr(0, eq)] = parse_as<double>(kv.substr(eq + 1), "--pruner " + spec);
    }
  std::set<std::string> known;
  auto opt = [&](const std::string& key, double fallback) {
    known.insert(key);
    return o.count(key) ? o[key] : fallback;
  };
  std::shared_ptr<Pruner> pruner;
  if (kind == "median" || kind == "percentile") {
    PercentileOptions p{.percentile = kind == "median" ? 50 : opt("percentile", 25),
                        .n_startup_trials = static_cast<int64_t>(opt("startup", 5)),
                        .n_warmup_steps = static_cast<int64_t>(opt("warmup", 0)),
                        .interval_steps = static_cast<int64_t>(opt("interval", 1)),
                        .n_min_trials = static_cast<int64_t>(opt("min_trials", 1))};
    pruner = std::make_shared<PercentilePruner>(p);
  } else if (kind == "halving") {
    SuccessiveHalvingOptions p{.reduction_factor = static_cast<int64_t>(opt("reduction_factor", 4)),
                               .min_early_stopping_rate = static_cast<int64_t>(opt("min_early_stopping_rate", 0))};
    if (o.count("min_resource")) p.min_resource = static_cast<int64_t>(opt("min_resource", 1));
    known.insert("min_resource");
    pruner = std::make_shared<SuccessiveHalvingPruner>(p);
  } else if (kind == "hyperband") {
    HyperbandOptions p{.min_resource = static_cast<int64_t>(opt("min_resource", 1)),
                       .reduction_factor = static_cast<int64_t>(opt("reduction_factor", 3))};
    if (o.count("max_resource")) p.max_resource = static_cast<int64_t>(opt("max_resource", 1));
    known.insert("max_resource");
    pruner = std::make_shared<HyperbandPruner>(p);
  } else if (kind == "none") {
    pruner = std::make_shared<NopPruner>();
  } else {
    ember::detail::fail("--pruner: unknown pruner '", kind, "' (median, percentile, halving, hyperband or none)");
  }
  for (const auto& [key, value] : o)
    EMBER_CHECK(known.count(key), "--pruner ", spec, ": ", kind, " has no option '", key, "'");
  return pruner;
}

std::shared_ptr<Sampler> make_sampler(const std::string& kind, const std::vector<Param>& params, uint64_t seed) {
  if (kind == "tpe") return std::make_shared<TpeSampler>(seed);
  if (kind == "random") return std::make_shared<RandomSampler>(seed);
  EMBER_CHECK(kind == "grid", "--sampler: unknown sampler '", kind, "' (tpe, random or grid)");
  std::map<std::string, std::vector<ParamValue>> grid;
  for (const Param& p : params) {
    if (const auto* c = std::get_if<CategoricalDistribution>(&p.distribution)) {
      grid[p.name] = c->choices;
    } else if (const auto* i = std::get_if<IntDistribution>(&p.distribution); i && !i->log) {
      for (int64_t v = i->low; v <= i->high; v += i->step) grid[p.name].push_back(v);
    } else if (const auto* f = std::get_if<FloatDistribution>(&p.distribution); f && f->step) {
      for (double v = f->low; v <= f->high + 1e-9 * *f->step; v += *f->step) grid[p.name].push_back(v);
    } else {
      ember::detail::fail("--sampler grid: parameter '", p.name, "' is a continuous range; the grid needs its "
                          "values: cat:A,B,... or a step (float:LO:HI:STEP, int:LO:HI)");
    }
  }
  return std::make_shared<GridSampler>(grid, seed);
}

std::string param_text(const FrozenTrial& t) {
  std::string out;
  for (const auto& [name, internal] : t.params) out += (out.empty() ? "" : " ") + name + "=" + value_text(t.param(name));
  return out;
}

std::string number_text(double v) {
  std::ostringstream s;
  s << std::setprecision(4) << std::fixed << v;
  return s.str();
}

struct TuneSettings {
  std::vector<Param> params;
  std::string sampler = "tpe", pruner = "median", metric = "val_loss";
  Direction direction = Direction::minimize;
  int64_t trials = 20, seed = 0;
  std::vector<std::string> train_flags;
};

Json settings_json(const TuneSettings& s, const std::vector<std::string>& param_specs) {
  return {{"params", param_specs}, {"sampler", s.sampler}, {"pruner", s.pruner}, {"metric", s.metric},
          {"direction", s.direction == Direction::minimize ? "minimize" : "maximize"}, {"trials", s.trials},
          {"seed", s.seed}, {"train_flags", s.train_flags}};
}

// One trial: an `ember train` run with the sampled settings, reporting the
// metric per epoch; returns the last epoch's value.
double run_trial(Trial& trial, const TuneSettings& s, const std::string& dir, int64_t threads,
                 std::atomic<bool>& metric_missing) {
  std::vector<std::string> args = s.train_flags;
  for (const Param& p : s.params) {
    args.push_back("--" + p.flag);
    args.push_back(value_text(trial.suggest(p.name, p.distribution)));
  }
  const std::string folder = dir + "/trials/" + std::to_string(trial.number());
  args.insert(args.end(), {"--out", folder, "--quiet"});
  const bool threads_given = std::any_of(s.train_flags.begin(), s.train_flags.end(), [](const std::string& f) {
    return f == "--threads" || f.rfind("--threads=", 0) == 0;
  });
  if (!threads_given) args.insert(args.end(), {"--threads", std::to_string(threads)});
  fs::create_directories(dir + "/logs");
  const std::string log = dir + "/logs/trial-" + std::to_string(trial.number()) + ".txt";
  trial.set_user_attr("run_folder", folder);
  TrialProcess run(args, log);
  std::optional<double> last;
  bool pruned = false;
  while (std::optional<std::string> line = run.next_epoch()) {
    const train::EpochMetrics m = train::parse_metrics_line(*line, "trial " + std::to_string(trial.number()));
    std::optional<double> v = s.metric == "val_loss" ? m.val_loss
                              : s.metric == "val_acc" ? m.val_acc
                              : s.metric == "train_loss" ? std::optional(m.train_loss)
                                                         : std::optional(m.train_acc);
    if (!v) {
      metric_missing = true;
      run.answer(false);
      ember::detail::fail("the run reports no ", s.metric, " (it has no validation split: --val-split 0?); "
                          "choose --metric train_loss or train_acc, or give it a validation split");
    }
    trial.report(*v, m.epoch);
    last = v;
    pruned = trial.should_prune();
    run.answer(!pruned);
    if (pruned) break;
  }
  const int status = run.wait();
  if (pruned) throw TrialPruned();
  if (status != 0 || !last) {
    // The run's own last words say why.
    std::ifstream in(log);
    std::string line, why;
    while (std::getline(in, line))
      if (!line.empty()) why = line;
    ember::detail::fail("its run exited with status ", status,
                        why.empty() ? (status == 127 ? ": ember train could not be started" : "") : ": " + why, " (",
                        log, ")");
  }
  return *last;
}

void print_table(const std::vector<FrozenTrial>& trials, const TuneSettings& s) {
  std::vector<FrozenTrial> rows = trials;
  const bool minimize = s.direction == Direction::minimize;
  auto rank = [](const FrozenTrial& t) { return t.state == TrialState::complete ? 0 : t.state == TrialState::pruned ? 1 : 2; };
  std::stable_sort(rows.begin(), rows.end(), [&](const FrozenTrial& a, const FrozenTrial& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (!a.value || !b.value) return a.value.has_value() > b.value.has_value();
    return minimize ? *a.value < *b.value : *a.value > *b.value;
  });
  std::cout << "\n trial  state     " << std::setw(10) << s.metric << "  epochs  params\n";
  for (const FrozenTrial& t : rows)
    std::cout << std::setw(6) << t.number << "  " << std::left << std::setw(8) << state_name(t.state) << std::right
              << "  " << std::setw(10) << (t.value ? number_text(*t.value) : "-") << "  " << std::setw(6)
              << t.intermediate_values.size() << "  " << param_text(t) << "\n";
}

}  // namespace

int tune_command(int argc, char** argv) {
  // Own flags before "--", train flags after; --param may repeat.
  std::vector<char*> own = {argv[0], argv[1]};
  std::vector<std::string> train_flags, param_specs;
  bool after = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (after) train_flags.push_back(a);
    else if (a == "--") after = true;
    else if (a == "--param" && i + 1 < argc) param_specs.push_back(argv[++i]);
    else if (a.rfind("--param=", 0) == 0) param_specs.push_back(a.substr(8));
    else own.push_back(argv[i]);
  }
  StopSignals stop;
  Args args(static_cast<int>(own.size()), own.data(), 2);
  const std::string out = args.get("out", "", "the study's folder: journal.log, tune.json, trials/N (each trial's "
                                   "run), logs/, best.json, history.png, intermediate.png");
  const std::string resume = args.get("resume", "", "continue the study in this folder (--trials N: raise its total)");
  const int64_t trials_flag = args.integer("trials", 20, "trials in the study in all", 1, 100000);
  const std::string sampler_flag = args.get("sampler", "tpe", "tpe, random or grid (grid: cat:... or stepped params)");
  const std::string pruner_flag = args.get("pruner", "median", "median, percentile, halving, hyperband or none; "
                                           "options after a colon, e.g. median:startup=5,warmup=0,interval=1 or "
                                           "percentile:percentile=25, halving:min_resource=1,reduction_factor=4, "
                                           "hyperband:min_resource=1,max_resource=9,reduction_factor=3");
  const std::string metric_flag = args.get("metric", "val_loss", "the epoch metric to optimize: val_loss, val_acc, "
                                           "train_loss or train_acc (the last epoch's value is the trial's)");
  const std::string direction_flag = args.get("direction", "auto", "minimize, maximize or auto (losses down, "
                                              "accuracies up)");
  const int64_t jobs = args.integer("jobs", 1, "trials at once; the machine's threads are divided among them", 1, 256);
  const double timeout = args.number("timeout", 0, "no new trial starts after this many seconds (0: none)", 0, 1e9);
  const int64_t seed = args.integer("seed", 0, "the sampler's seed", 0, int64_t{1} << 62);
  if (args.wants_help()) {
    std::cout << "usage: ember tune --out DIR --param NAME=SPEC [--param ...] [flags] -- [ember train flags]\n\n"
                 "  --param NAME=SPEC (repeatable)\n      a setting of ember train to tune: log:LO:HI (a float on a log "
                 "scale), float:LO:HI[:STEP], int:LO:HI[:STEP], intlog:LO:HI, cat:A,B,...\n      e.g. --param "
                 "lr=log:1e-4:1e-1 --param batch_size=cat:32,64,128 --param model=cat:mlp,lenet5\n"
              << args.usage()
              << "\nEach trial is an ember train run (DIR/trials/N) with the train flags after --; the chosen metric\n"
                 "is reported after each epoch and the pruner may stop the run there. The study is DIR/journal.log,\n"
                 "in Optuna's journal format (optuna.load_study can read it). At the end: a table of the trials,\n"
                 "best.json (retrain with: ember train --config DIR/best.json), history.png, intermediate.png.\n";
    return 0;
  }
  args.check_all_used();
  EMBER_CHECK(out.empty() != resume.empty(), "give --out DIR for a new study or --resume DIR to continue one");
  const std::string dir = resume.empty() ? out : resume;

  TuneSettings s;
  if (!resume.empty()) {
    EMBER_CHECK(param_specs.empty() && train_flags.empty() && !args.given("sampler") && !args.given("pruner") &&
                    !args.given("metric") && !args.given("direction") && !args.given("seed"),
                "--resume continues a study with its own settings (", dir, "/tune.json); only --trials, --jobs and "
                "--timeout may be given");
    const Json saved = read_json_file(dir + "/tune.json", "--resume");
    param_specs = saved.at("params").get<std::vector<std::string>>();
    s.sampler = saved.at("sampler"), s.pruner = saved.at("pruner"), s.metric = saved.at("metric");
    s.direction = saved.at("direction") == "minimize" ? Direction::minimize : Direction::maximize;
    s.trials = args.given("trials") ? trials_flag : saved.at("trials").get<int64_t>();
    s.seed = saved.at("seed");
    s.train_flags = saved.at("train_flags").get<std::vector<std::string>>();
  } else {
    EMBER_CHECK(!fs::exists(dir) || fs::is_empty(dir), "--out ", dir, " is not empty",
                fs::exists(dir + "/journal.log") ? " (it holds a study: continue it with --resume " + dir + ")" : "");
    s.sampler = sampler_flag, s.pruner = pruner_flag, s.metric = metric_flag, s.trials = trials_flag, s.seed = seed;
    s.train_flags = train_flags;
    EMBER_CHECK(kMetrics.count(s.metric), "--metric: '", s.metric, "' is not a metric the runs report (val_loss, "
                "val_acc, train_loss or train_acc)");
    EMBER_CHECK(direction_flag == "auto" || direction_flag == "minimize" || direction_flag == "maximize",
                "--direction: '", direction_flag, "' is not minimize, maximize or auto");
    s.direction = direction_flag == "maximize" || (direction_flag == "auto" && s.metric.ends_with("_acc"))
                      ? Direction::maximize
                      : Direction::minimize;
  }
  EMBER_CHECK(!param_specs.empty(), "the search space is empty: give at least one --param NAME=SPEC (e.g. --param "
              "lr=log:1e-4:1e-1)");
  std::set<std::string> names;
  for (const std::string& spec : param_specs) {
    s.params.push_back(parse_param(spec));
    EMBER_CHECK(names.insert(s.params.back().name).second, "--param: '", s.params.back().name, "' is given twice");
  }
  for (const std::string& f : s.train_flags) {
    const std::string flag = f.substr(0, f.find('='));  // --name or --name=value
    for (const Param& p : s.params)
      EMBER_CHECK(flag != "--" + p.flag, "the train flag --", p.flag, " is tuned (--param ", p.name, "=...); drop it");
    for (const char* owned : {"--out", "--resume", "--restart", "--tune-pipe"})
      EMBER_CHECK(flag != owned, "the train flag ", owned, " is set by ember tune for each trial; drop it");
  }

  // Everything is checked before the folder is made.
  std::shared_ptr<Sampler> sampler = make_sampler(s.sampler, s.params, static_cast<uint64_t>(s.seed));
  std::shared_ptr<Pruner> pruner = make_pruner(s.pruner);
  fs::create_directories(dir);
  write_file_atomic(dir + "/tune.json", settings_json(s, param_specs).dump(2) + "\n");
  Study study({.name = kStudyName, .direction = s.direction, .sampler = sampler, .pruner = pruner,
               .journal = dir + "/journal.log"});
  for (const std::string& w : study.journal_warnings()) std::cout << "warning: " << w << "\n";
  if (const int64_t stale = study.fail_stale_trials())
    std::cout << "ember tune: " << count_of(stale, "trial") << " left running by the study's earlier process: "
              << "marked FAIL\n";
  const int64_t existing = static_cast<int64_t>(study.trials().size());
  const int64_t remaining = std::max<int64_t>(s.trials - existing, 0);
  const int64_t threads = std::max<int64_t>(1, static_cast<int64_t>(std::thread::hardware_concurrency()) / jobs);
  std::signal(SIGPIPE, SIG_IGN);  // a trial that ended does not read its answer
  std::cout << "ember tune: " << count_of(remaining, "trial") << " to run (" << existing << " done of " << s.trials
            << "), " << study.sampler().name() << " sampler, " << study.pruner().name() << " pruner, "
            << (s.direction == Direction::minimize ? "minimizing " : "maximizing ") << s.metric << ", " << jobs
            << " at once x " << threads << " threads; study in " << dir << std::endl;

  // Ctrl-C (or a metric the runs lack) lets the running trials end and starts no more.
  std::atomic<bool> metric_missing = false, finished = false;
  std::thread watcher([&] {
    while (!finished && !stop.requested() && !metric_missing) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    study.stop();
  });
  OptimizeOptions options{.n_trials = remaining, .n_jobs = jobs, .timeout_seconds = timeout};
  std::optional<FrozenTrial> best;
  options.on_trial_end = [&](const FrozenTrial& t) {
    std::ostringstream line;
    line << "trial " << t.number << "  " << param_text(t) << "  ";
    if (t.state == TrialState::complete) line << s.metric << " " << number_text(*t.value);
    else if (t.state == TrialState::pruned) line << "pruned at epoch " << t.intermediate_values.size();
    else {
      const auto why = t.system_attrs.find("fail_reason");
      line << "failed: " << (why == t.system_attrs.end() ? "?" : Json::parse(why->second).get<std::string>());
    }
    try {
      best = study.best_trial();
      line << "  (best " << number_text(*best->value) << ", trial " << best->number << ")";
    } catch (const Error&) {
    }
    std::cout << line.str() << std::endl;
  };
  try {
    // (n_trials 0 would mean "until stopped": a study that has all its trials runs none.)
    if (remaining > 0)
      study.optimize([&](Trial& trial) { return run_trial(trial, s, dir, threads, metric_missing); }, options);
  } catch (...) {
    finished = true;
    watcher.join();
    throw;
  }
  finished = true;
  watcher.join();
  EMBER_CHECK(!metric_missing, "--metric ", s.metric, ": the runs do not report it (see ", dir, "/logs)");

  const std::vector<FrozenTrial> trials = study.trials();
  print_table(trials, s);
  if (stop.requested())
    std::cout << "\ninterrupted (" << signal_name(stop.signal()) << "): the running trials were stopped and are "
              << "recorded FAIL; continue with: ember tune --resume " << dir << "\n";
  const auto completed = std::find_if(trials.begin(), trials.end(),
                                      [](const FrozenTrial& t) { return t.state == TrialState::complete; });
  if (completed == trials.end()) {
    // Nothing to recommend; when every trial failed, the first one's reason is likely everyone's.
    const auto failed = std::find_if(trials.begin(), trials.end(), [](const FrozenTrial& t) {
      return t.state == TrialState::fail && t.system_attrs.count("fail_reason");
    });
    EMBER_CHECK(stop.requested() || failed == trials.end(), "no trial completed; trial ", failed->number,
                " failed: ", Json::parse(failed->system_attrs.at("fail_reason")).get<std::string>());
    std::cout << "no trial has completed yet\n";
    return stop.requested() ? stop.exit_status() : 0;
  }
  const FrozenTrial winner = study.best_trial();
  const std::string folder = dir + "/trials/" + std::to_string(winner.number);
  Json config = read_json_file(folder + "/config.json", "best trial");
  write_file_atomic(dir + "/best.json", config.dump(2) + "\n");
  plot_history(trials, s.direction, s.metric, dir + "/history.png");
  plot_intermediate(trials, s.metric, "epoch", dir + "/intermediate.png");
  std::cout << "\nbest: trial " << winner.number << "  " << s.metric << " " << number_text(*winner.value) << "  "
            << param_text(winner) << "\nretrain it with: ember train --config " << dir << "/best.json\n"
            << "charts: " << dir << "/history.png, " << dir << "/intermediate.png\n";
  return stop.signal() ? stop.exit_status() : 0;
}

}  // namespace ember::cli

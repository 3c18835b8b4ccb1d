// `ember train`: flags (or a JSON config) into a train::RunConfig, and the
// run's progress on the terminal; the run itself, its folder and its files
// are train::Run's. `--resume DIR` continues a run (and extends it with
// --epochs N); `--restart DIR` starts it over.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "build_info.h"
#include "commands.h"
#include "format.h"
#include "progress.h"
#include "stop_signals.h"
#include "train_settings.h"
#include "ember/ember.h"

namespace ember::cli {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

// How the run starts: the folder mode and where its settings come from.
struct Start {
  train::RunFolder::Mode mode = train::RunFolder::Mode::create;
  std::string folder;  // --resume / --restart: the run's folder
  Json config = Json::object();
  std::string source;
};

Start choose_start(Args& args, const std::string& config_file, const std::string& resume, const std::string& restart) {
  EMBER_CHECK((!config_file.empty()) + (!resume.empty()) + (!restart.empty()) <= 1,
              "--config, --resume and --restart exclude each other");
  Start start;
  if (!config_file.empty()) {
    start.config = read_json_file(config_file, "--config");
    start.source = config_file;
    return start;
  }
  const std::string folder = !resume.empty() ? resume : restart;
  if (folder.empty()) return start;
  const std::string flag = !resume.empty() ? "--resume" : "--restart";
  const fs::path config_path = fs::path(folder) / "config.json";
  EMBER_CHECK(fs::exists(config_path), flag, ": ", folder, " holds no run (no config.json)");
  start.mode = !resume.empty() ? train::RunFolder::Mode::resume : train::RunFolder::Mode::restart;
  start.folder = folder;
  start.config = read_json_file(config_path.string(), flag);
  start.source = config_path.string();
  if (!resume.empty()) {
    for (const std::string& name : args.given_names())
      EMBER_CHECK(name == "resume" || name == "quiet" || name == "threads" || name == "workers" || name == "epochs" ||
                      name == "progress-every",
                  "--resume continues a run with its own settings (config.json); drop --", name,
                  " (or start it over with --restart ", folder, " --", name, " ...)");
    EMBER_CHECK(fs::exists(fs::path(folder) / "last.safetensors"), "--resume: ", folder,
                " holds no checkpoint to continue from (the run stopped inside its first epoch); start it again "
                "with: ember train --restart ", folder);
  }
  return start;
}

// The epoch hook of a trial of `ember tune`: the epoch's metrics line out on
// W, the study's answer in on R. A closed pipe (the study's process ended)
// stops the run too.
std::function<bool(const train::EpochMetrics&)> tune_pipe_answer(const std::string& spec, int64_t* stopped_after) {
  int r = -1, w = -1;
  char rest = 0;
  EMBER_CHECK(std::sscanf(spec.c_str(), "%d,%d%c", &r, &w, &rest) == 2 && r >= 0 && w >= 0,
              "--tune-pipe: '", spec, "' is not R,W (two file descriptors)");
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe is an error on write, not the end of the process
  return [r, w, stopped_after](const train::EpochMetrics& m) {
    const std::string line = train::metrics_line(m) + "\n";
    for (size_t done = 0; done < line.size();) {
      const ssize_t n = ::write(w, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    std::string answer;
    char c = 0;
    while (true) {
      const ssize_t n = ::read(r, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || c == '\n') break;
      answer += c;
    }
    if (answer == "continue") return true;
    *stopped_after = m.epoch + 1;
    return false;
  };
}

}  // namespace

int train_command(int argc, char** argv) {
  // First, before any thread starts: stop requests are taken by a watcher thread.
  StopSignals stop;
  Args args(argc, argv, 2);
  const std::string config_file = args.get("config", "", "read the settings from this JSON file (a run's config.json "
                                           "works); flags given override it");
  const std::string resume = args.get("resume", "", "continue the run in this folder where its checkpoint was taken "
                                      "(with --epochs N: extend it to N epochs)");
  const std::string restart = args.get("restart", "", "start the run in this folder over from its config.json (flags "
                                       "given override it); its results are replaced");
  const std::string out_dir = args.get("out", "", "run folder (default runs/<model>-<timestamp>)");
  const bool quiet = args.flag("quiet", "one line per epoch, no progress bar or progress lines");
  const std::string tune_pipe = args.get("tune-pipe", "", "used by `ember tune`: R,W file descriptors; after each "
                                         "epoch its metrics line goes to W, and the run waits on R for continue or "
                                         "stop");
  const double progress_every = args.number("progress-every", 30, "when stdout is not a terminal: a progress line "
                                            "every this many seconds within an epoch (0: off)", 0, 1e6);
  if (args.wants_help()) {
    read_settings(args, Json::object(), "");
    std::cout << "usage: ember train [flags]\n\n" << args.usage();
    return 0;
  }
  const Start start = choose_start(args, config_file, resume, restart);
  Settings s = read_settings(args, start.config, start.source);
  args.check_all_used();
  const bool resuming = start.mode == train::RunFolder::Mode::resume;
  const int64_t planned_epochs = resuming ? start.config.at("epochs").get<int64_t>() : s.epochs;
  // Only schedules that do not depend on the number of epochs may be extended,
  // so an extended run's schedule is the one it began with.
  if (resuming && s.epochs != planned_epochs) {
    EMBER_CHECK(s.epochs > planned_epochs, "--epochs: ", s.epochs, " is fewer than the run's ", planned_epochs,
                " epochs; --resume can only extend a run");
    Settings planned = s;
    planned.epochs = planned_epochs;
    const std::string why = train::why_not_extendable(planned);
    EMBER_CHECK(why.empty(), "--epochs: the run in ", start.folder, " cannot be extended: ", why,
                ". Start a new run (--config ", start.source, " --epochs ", s.epochs, ")");
  }

  const bool tty = !quiet && ::isatty(STDOUT_FILENO);
  train::RunOptions options{.mode = start.mode,
                            .folder = start.folder.empty() ? out_dir : start.folder,
                            .facts = {{"ember_version", EMBER_VERSION}, {"git_hash", EMBER_GIT_HASH}}};
  options.on_line = [tty](const std::string& line) {
    if (tty) std::cout << "\r\033[K";  // over the progress bar
    std::cout << line << std::endl;
  };
  if (tty) {
    options.on_batch = [bar = ProgressBar()](int64_t, int64_t b, int64_t n, double loss, double acc,
                                             int64_t seen) mutable {
      const std::string line = bar.line(b, n, seen, loss, acc);  // every batch, so the clock sees each epoch start
      if (b % 10 == 0 || b == n) std::cout << "\r" << line << "\033[K" << std::flush;
    };
  } else if (!quiet && progress_every > 0) {
    // Logs and pipes get a line every so often instead of a bar.
    options.on_batch = [&, last = std::chrono::steady_clock::now(), epoch_start = std::chrono::steady_clock::now(),
                        shown_epoch = int64_t{-1}](int64_t epoch, int64_t b, int64_t n, double loss, double acc,
                                                   int64_t seen) mutable {
      const auto now = std::chrono::steady_clock::now();
      if (shown_epoch != epoch) shown_epoch = epoch, epoch_start = now, last = now;
      if (std::chrono::duration<double>(now - last).count() < progress_every || b == n) return;
      last = now;
      const double elapsed = std::chrono::duration<double>(now - epoch_start).count();
      std::ostringstream line;
      line << std::fixed << std::setprecision(4) << "  epoch " << epoch + 1 << "/" << s.epochs << "  batch " << b
           << "/" << n << "  loss " << loss << "  acc " << acc << std::setprecision(0) << "  "
           << static_cast<double>(seen) / std::max(elapsed, 1e-9) << " samples/s";
      std::cout << line.str() << std::endl;
    };
  }
  options.interrupted = [&] { return stop.requested(); };
  int64_t pruned_after = 0;  // the epoch after which `ember tune` stopped the run
  if (!tune_pipe.empty()) options.on_epoch = tune_pipe_answer(tune_pipe, &pruned_after);

  train::Run run(s, std::move(options));
  if (resuming)
    EMBER_CHECK(run.epochs_done() < s.epochs || run.resume_progress(), "--resume: the run in ", run.folder(),
                " has finished its ", count_of(s.epochs, "epoch"), "; extend it with: ember train --resume ",
                run.folder(), " --epochs N (N > ", s.epochs, ")");
  const train::RunOutcome outcome = run.train();
  switch (outcome.end) {
    case train::RunOutcome::End::failed:
      if (!outcome.has_checkpoint) {
        const std::string hint = "no checkpoint was written (the run stopped inside its first epoch); start it "
                                 "again with: ember train --restart " + run.folder() + " [--lr ...]";
        try {
          run.report(hint);
        } catch (const Error&) {
          // Printed already; the log may be what failed.
        }
      }
      return 1;
    case train::RunOutcome::End::interrupted:
      run.report(std::string("interrupted (") + signal_name(stop.signal()) + ") after batch " +
                 std::to_string(outcome.interrupted_at->batch) + " of epoch " +
                 std::to_string(outcome.interrupted_at->epoch + 1) + ": checkpoint written to " +
                 run.file("last.safetensors") + "; continue with: ember train --resume " + run.folder());
      return stop.exit_status();
    case train::RunOutcome::End::finished:
      if (pruned_after) run.report("stopped after epoch " + std::to_string(pruned_after) + ": pruned by ember tune");
      break;
  }
  return 0;
}

}  // namespace ember::cli

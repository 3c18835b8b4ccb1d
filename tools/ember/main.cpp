// `ember`: the command-line tool. Subcommands: train, eval, summary, models, datasets, bench, prune, tune.
#include <cstring>
#include <iostream>

#include "build_info.h"
#include "commands.h"
#include "ember/error.h"

namespace {

const char* kUsage =
    "usage: ember <command> [flags]\n\n"
    "commands:\n"
    "  train      train a model (default: LeNet-5 on Fashion-MNIST); `ember train --help` lists the flags\n"
    "  eval       evaluate a checkpoint: loss, accuracy, per-class accuracy, confusion matrix\n"
    "  summary    a model's layers, output shapes, parameters, MACs and memory\n"
    "  models     list the registered models\n"
    "  datasets   list the datasets the CLI knows\n"
    "  bench      time a training-step workload (`ember bench` lists them)\n"
    "  prune      prune a trained checkpoint (channels or weights), to fine-tune with train --init-from\n"
    "  tune       search hyperparameters over train runs (TPE, pruning; Optuna's journal format)\n"
    "  help CMD   the flags of a command (same as `ember CMD --help`); --version: the build\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      (!std::strcmp(argv[1], "help") && argc == 2)) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "version")) {
    std::cout << "ember " << EMBER_VERSION << " (" << EMBER_GIT_HASH << ")\n";
    return 0;
  }
  // `ember help train` is `ember train --help`.
  char help_flag[] = "--help";
  char* help_argv[] = {argv[0], argc > 2 ? argv[2] : nullptr, help_flag, nullptr};
  if (!std::strcmp(argv[1], "help")) argc = 3, argv = help_argv;
  const std::string command = argv[1];
  try {
    if (command == "train") return ember::cli::train_command(argc, argv);
    if (command == "eval") return ember::cli::eval_command(argc, argv);
    if (command == "models") return ember::cli::models_command(argc, argv);
    if (command == "datasets") return ember::cli::datasets_command(argc, argv);
    if (command == "summary") return ember::cli::summary_command(argc, argv);
    if (command == "bench") return ember::cli::bench_command(argc, argv);
    if (command == "prune") return ember::cli::prune_command(argc, argv);
    if (command == "tune") return ember::cli::tune_command(argc, argv);
    std::cerr << "ember: unknown command '" << command << "'\n\n" << kUsage;
    return 2;
  } catch (const ember::Error& e) {
    std::cerr << "ember " << command << ": " << e.what() << "\n";
    return 1;
  }
}

// The `ember` subcommands; each takes the full argv (its flags start at argv[2]).
#pragma once

namespace ember::cli {

int train_command(int argc, char** argv);
int eval_command(int argc, char** argv);
int models_command(int argc, char** argv);
int datasets_command(int argc, char** argv);
int summary_command(int argc, char** argv);
int bench_command(int argc, char** argv);
int prune_command(int argc, char** argv);
int tune_command(int argc, char** argv);

}  // namespace ember::cli

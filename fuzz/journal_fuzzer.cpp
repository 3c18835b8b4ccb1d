// libFuzzer target: a study's journal (Optuna's JSON-lines format, which
// Ember also reads from files Optuna or a damaged disk wrote). Every line
// either applies or is skipped with a warning; reading never crashes, and
// every trial it yields reads back: each parameter has its distribution, and
// its value converts to the objective's form or is refused with an Error.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "ember/error.h"
#include "tune/journal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember::tune;
  static const std::string path = "/tmp/ember_journal_fuzz_" + std::to_string(::getpid()) + ".log";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    detail::Journal journal(path);
    for (int64_t study = 0; study < 4; ++study) {
      std::vector<FrozenTrial> trials;
      try {
        trials = journal.trials(study);
      } catch (const std::out_of_range&) {
        continue;  // no study of that id
      }
      for (const FrozenTrial& t : trials) {
        (void)t.last_step();
        for (const auto& [name, internal] : t.params) {
          try {
            (void)t.param(name);
          } catch (const ember::Error&) {
          }
        }
      }
    }
  } catch (const ember::Error&) {
    // The file cannot be opened or read: refused with a message.
  }
  std::remove(path.c_str());
  return 0;
}

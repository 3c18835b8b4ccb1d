// A training run's folder on disk: held by one process at a time (an
// exclusive lock for the holder's lifetime), every file replaced atomically,
// stale temporaries of a killed run cleaned, free space checked up front.
#pragma once

#include <cstdint>
#include <string>

#include "ember/atomic_file.h"  // how a run's files are written

namespace ember::train {

class RunFolder {
 public:
  // create: a new run; makes the folder, and refuses one that already holds a
  //   run file (another run's results are never overwritten).
  // resume: continues the run in an existing folder.
  // restart: starts the run in the folder again; its run files are removed.
  enum class Mode { create, resume, restart };

  // Takes the folder's lock (DIR/.lock, which names the holder's pid): a
  // second process gets an Error naming that pid. Removes stale temporary
  // files (`*.tmp.*`) a killed run left.
  RunFolder(std::string path, Mode mode);
  ~RunFolder();
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;

  std::string file(const std::string& name) const;  // path/name

  // An Error unless at least `bytes` are free on the folder's filesystem.
  void require_free_space(uint64_t bytes) const;

 private:
  std::string path_;
  int lock_fd_ = -1;
};

}  // namespace ember::train

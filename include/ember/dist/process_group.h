// Collective communication for data-parallel training, shaped like
// torch.distributed's process groups: every rank calls the same collectives
// in the same order; each returns at once with a Work to wait on, so
// communication can overlap computation. Implementations: an in-process
// thread group (N ranks, one thread each; for tests and single-machine
// trials); MPI and NCCL come as separate targets.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

#include "ember/tensor.h"

namespace ember::dist {

enum class ReduceOp { sum, avg, max, min };
const char* reduce_op_name(ReduceOp op);

// A collective in flight on one rank.
class Work {
 public:
  // Blocks until the collective is done on this rank (its result is in the
  // tensors it was given); rethrows its error (a mismatch, a timeout).
  void wait();
  bool done() const;
  void finish(std::exception_ptr error = nullptr);  // by the implementation

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::exception_ptr error_;
};

class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;
  virtual int64_t rank() const = 0;
  virtual int64_t size() const = 0;
  // In place: every rank's `tensor` (same shape and dtype on every rank)
  // becomes the reduction over ranks. The tensor is not to be touched until
  // the Work is done.
  virtual std::shared_ptr<Work> allreduce(Tensor tensor, ReduceOp op = ReduceOp::sum) = 0;
  // Every rank's `tensor` becomes `root`'s.
  virtual std::shared_ptr<Work> broadcast(Tensor tensor, int64_t root) = 0;
  // outputs[r] (one per rank, each shaped like `tensor`) receives rank r's `tensor`.
  virtual std::shared_ptr<Work> allgather(std::vector<Tensor> outputs, Tensor tensor) = 0;
  virtual std::shared_ptr<Work> barrier() = 0;
};

struct ThreadGroupOptions {
  // A collective that some rank has not joined after this long fails on
  // every rank, naming the ranks that did not arrive (never a hang).
  double timeout_seconds = 300;
};

// N ranks in this process; rank r is used from its own thread. Each rank runs
// its collectives in the order it issued them, on a communication thread of
// its own; a collective completes when every rank has issued it.
std::vector<std::shared_ptr<ProcessGroup>> make_thread_group(int64_t n, ThreadGroupOptions options = {});

}  // namespace ember::dist

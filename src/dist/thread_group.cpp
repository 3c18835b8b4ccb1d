// The in-process process group: N ranks that share one World. A collective
// is a numbered round (each rank numbers its calls 0, 1, 2, ...): a rank's
// communication thread puts its call into the round and waits; the last to
// arrive checks that every rank called the same thing alike, computes the
// result once and writes it into every rank's tensors.
#include <chrono>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "ember/dist/process_group.h"
#include "ember/error.h"
#include "ember/grad_mode.h"
#include "ember/ops.h"

namespace ember::dist {
namespace {

enum class Kind { allreduce, broadcast, allgather, barrier };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::allreduce: return "allreduce";
    case Kind::broadcast: return "broadcast";
    case Kind::allgather: return "allgather";
    case Kind::barrier: return "barrier";
  }
  return "?";
}

// One rank's part of one collective.
struct Call {
  Kind kind = Kind::barrier;
  Tensor tensor = {};
  std::vector<Tensor> outputs = {};
  ReduceOp op = ReduceOp::sum;
  int64_t root = 0;
  std::shared_ptr<Work> work = {};
};

struct Round {
  std::vector<std::optional<Call>> calls;  // by rank
  int64_t arrived = 0, left = 0;
  bool complete = false;
  std::exception_ptr error;
};

struct World {
  World(int64_t n, double timeout) : n(n), timeout(timeout) {}
  const int64_t n;
  const double timeout;
  std::mutex mutex;
  std::condition_variable cv;
  std::map<uint64_t, Round> rounds;
};

std::exception_ptr error_of(const std::function<void()>& fail) {
  try {
    fail();
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

// Every rank's call is in: check them alike, then write the result everywhere.
void perform(const World& w, Round& r, uint64_t seq) {
  const Call& first = *r.calls[0];
  const char* what = kind_name(first.kind);
  for (int64_t k = 1; k < w.n; ++k) {
    const Call& c = *r.calls[static_cast<size_t>(k)];
    EMBER_CHECK(c.kind == first.kind, "collective #", seq, ": rank 0 called ", what, " but rank ", k, " called ",
                kind_name(c.kind), " (every rank must call the same collectives in the same order)");
    if (first.kind == Kind::barrier) continue;
    EMBER_CHECK(c.tensor.sizes() == first.tensor.sizes() && c.tensor.dtype() == first.tensor.dtype(), what, " #",
                seq, ": rank 0 gave a ", first.tensor.dtype(), " tensor of shape ", first.tensor.sizes(), " but rank ",
                k, " a ", c.tensor.dtype(), " tensor of shape ", c.tensor.sizes());
    EMBER_CHECK(c.op == first.op, what, " #", seq, ": rank 0 reduces with ", reduce_op_name(first.op), " but rank ", k,
                " with ", reduce_op_name(c.op));
    EMBER_CHECK(c.root == first.root, what, " #", seq, ": rank 0 broadcasts from rank ", first.root, " but rank ", k,
                " from rank ", c.root);
  }
  NoGradGuard no_grad;
  auto tensor_of = [&](int64_t k) -> Tensor& { return r.calls[static_cast<size_t>(k)]->tensor; };
  switch (first.kind) {
    case Kind::allreduce: {
      EMBER_CHECK(first.op != ReduceOp::avg || is_floating(first.tensor.dtype()), "allreduce #", seq,
                  ": avg needs a floating-point tensor, got ", first.tensor.dtype());
      Tensor result = tensor_of(0).clone();
      for (int64_t k = 1; k < w.n; ++k) {
        if (first.op == ReduceOp::max) result = result.maximum(tensor_of(k));
        else if (first.op == ReduceOp::min) result = result.minimum(tensor_of(k));
        else result.add_(tensor_of(k));
      }
      if (first.op == ReduceOp::avg) result.div_(static_cast<double>(w.n));
      for (int64_t k = 0; k < w.n; ++k) tensor_of(k).copy_(result);
      return;
    }
    case Kind::broadcast: {
      const Tensor source = tensor_of(first.root).clone();
      for (int64_t k = 0; k < w.n; ++k)
        if (k != first.root) tensor_of(k).copy_(source);
      return;
    }
    case Kind::allgather:
      for (int64_t k = 0; k < w.n; ++k) {
        std::vector<Tensor>& out = r.calls[static_cast<size_t>(k)]->outputs;
        EMBER_CHECK(static_cast<int64_t>(out.size()) == w.n, "allgather #", seq, ": rank ", k, " gave ", out.size(),
                    " output tensors; one per rank (", w.n, ") is needed");
        for (int64_t j = 0; j < w.n; ++j) {
          EMBER_CHECK(out[static_cast<size_t>(j)].sizes() == first.tensor.sizes(), "allgather #", seq, ": rank ", k,
                      "'s output ", j, " has shape ", out[static_cast<size_t>(j)].sizes(), ", the tensors have ",
                      first.tensor.sizes());
          out[static_cast<size_t>(j)].copy_(tensor_of(j));
        }
      }
      return;
    case Kind::barrier: return;
  }
}

class ThreadRank : public ProcessGroup {
 public:
  ThreadRank(std::shared_ptr<World> world, int64_t rank)
      : world_(std::move(world)), rank_(rank), thread_([this] { loop(); }) {}
  ~ThreadRank() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  int64_t rank() const override { return rank_; }
  int64_t size() const override { return world_->n; }
  std::shared_ptr<Work> allreduce(Tensor tensor, ReduceOp op) override {
    return submit({.kind = Kind::allreduce, .tensor = std::move(tensor), .op = op});
  }
  std::shared_ptr<Work> broadcast(Tensor tensor, int64_t root) override {
    EMBER_CHECK(root >= 0 && root < world_->n, "broadcast: root ", root, " is not a rank of a group of ", world_->n);
    return submit({.kind = Kind::broadcast, .tensor = std::move(tensor), .root = root});
  }
  std::shared_ptr<Work> allgather(std::vector<Tensor> outputs, Tensor tensor) override {
    return submit({.kind = Kind::allgather, .tensor = std::move(tensor), .outputs = std::move(outputs)});
  }
  std::shared_ptr<Work> barrier() override { return submit({.kind = Kind::barrier}); }

 private:
  std::shared_ptr<Work> submit(Call call) {
    EMBER_CHECK(call.kind == Kind::barrier || call.tensor.defined(), kind_name(call.kind), ": the tensor is undefined");
    EMBER_CHECK(call.kind == Kind::barrier || call.tensor.device().is_cpu(), kind_name(call.kind),
                ": the thread group works on CPU tensors, got one on ", call.tensor.device());
    call.work = std::make_shared<Work>();
    std::shared_ptr<Work> work = call.work;
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(call));
    }
    cv_.notify_one();
    return work;
  }

  // The communication thread: this rank's collectives, one at a time, in order.
  void loop() {
    for (uint64_t seq = 0;; ++seq) {
      Call call;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        call = std::move(queue_.front());
        queue_.erase(queue_.begin());
      }
      std::shared_ptr<Work> work = call.work;
      work->finish(join_round(seq, std::move(call)));
    }
  }

  std::exception_ptr join_round(uint64_t seq, Call call) {
    World& w = *world_;
    std::unique_lock lock(w.mutex);
    Round& r = w.rounds[seq];
    if (r.calls.empty()) r.calls.resize(static_cast<size_t>(w.n));
    const char* what = kind_name(call.kind);
    if (!r.error) {
      r.calls[static_cast<size_t>(rank_)] = std::move(call);
      if (++r.arrived == w.n) {
        r.error = error_of([&] { perform(w, r, seq); });
        r.complete = true;
        w.cv.notify_all();
      } else if (!w.cv.wait_for(lock, std::chrono::duration<double>(w.timeout),
                                [&] { return r.complete || r.error; })) {
        std::ostringstream missing;
        for (int64_t k = 0; k < w.n; ++k)
          if (!r.calls[static_cast<size_t>(k)]) missing << (missing.tellp() ? ", " : "") << k;
        r.error = error_of([&] {
          ember::detail::fail(what, " #", seq, " timed out after ", w.timeout, " s on rank ", rank_,
                              ": rank(s) ", missing.str(), " did not join it (a rank died, or called other collectives)");
        });
        w.cv.notify_all();
      }
    }
    std::exception_ptr error = r.error;
    // The last rank out removes the round (a failed round stays, for the late ones).
    if (++r.left == w.n) w.rounds.erase(seq);
    return error;
  }

  std::shared_ptr<World> world_;
  const int64_t rank_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Call> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once the rest is built
};

}  // namespace

std::vector<std::shared_ptr<ProcessGroup>> make_thread_group(int64_t n, ThreadGroupOptions options) {
  EMBER_CHECK(n >= 1, "make_thread_group: a group needs at least one rank, got ", n);
  EMBER_CHECK(options.timeout_seconds > 0, "make_thread_group: the timeout must be > 0 s, got ",
              options.timeout_seconds);
  auto world = std::make_shared<World>(n, options.timeout_seconds);
  std::vector<std::shared_ptr<ProcessGroup>> ranks;
  for (int64_t r = 0; r < n; ++r) ranks.push_back(std::make_shared<ThreadRank>(world, r));
  return ranks;
}

}  // namespace ember::dist

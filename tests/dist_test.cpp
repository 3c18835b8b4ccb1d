// The in-process thread group's collectives: results, ordering and
// asynchrony, strided tensors, and the errors (mismatched calls, a rank that
// never arrives) that must end every rank with a message instead of a hang.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "ember/creation.h"
#include "ember/dist.h"
#include "ember/error.h"
#include "ember/ops.h"

using namespace ember;
using namespace ember::dist;

namespace {

// Runs body(rank's group) on one thread per rank; returns each rank's error text ("" if none).
std::vector<std::string> on_every_rank(const std::vector<std::shared_ptr<ProcessGroup>>& group,
                                       const std::function<void(ProcessGroup&)>& body) {
  std::vector<std::string> errors(group.size());
  std::vector<std::thread> threads;
  for (size_t r = 0; r < group.size(); ++r)
    threads.emplace_back([&, r] {
      try {
        body(*group[r]);
      } catch (const Error& e) {
        errors[r] = e.what();
      }
    });
  for (std::thread& t : threads) t.join();
  return errors;
}

std::vector<double> values(const Tensor& t) { return t.to(kFloat64).contiguous().flatten().to_vector<double>(); }

}  // namespace

TEST(ThreadGroup, AllreduceSumsAveragesAndTakesExtremesOverRanks) {
  auto group = make_thread_group(4);
  std::vector<std::vector<double>> got(4);
  on_every_rank(group, [&](ProcessGroup& g) {
    const double r = static_cast<double>(g.rank());
    Tensor sum = tensor({r, 10 * r, 1.0}), avg = tensor({r, 2.0}), hi = tensor({r, -r}), lo = tensor({r, -r});
    Tensor ints = tensor({int64_t{1}, g.rank()});
    auto a = g.allreduce(sum), b = g.allreduce(avg, ReduceOp::avg), c = g.allreduce(hi, ReduceOp::max),
         d = g.allreduce(lo, ReduceOp::min), e = g.allreduce(ints);
    for (auto* w : {&a, &b, &c, &d, &e}) (*w)->wait();
    auto& out = got[static_cast<size_t>(g.rank())];
    for (const Tensor& t : {sum, avg, hi, lo, ints})
      for (double v : values(t)) out.push_back(v);
  });
  const std::vector<double> expected = {6, 60, 4, 1.5, 2, 3, 0, 0, -3, 4, 6};
  for (const auto& v : got) EXPECT_EQ(v, expected);
}

TEST(ThreadGroup, BroadcastsAndGathersIntoStridedTensors) {
  auto group = make_thread_group(3);
  std::vector<std::vector<double>> broadcast(3), gathered(3);
  on_every_rank(group, [&](ProcessGroup& g) {
    const auto r = static_cast<double>(g.rank());
    // A transposed view: the collective writes through its strides.
    Tensor base = full({2, 3}, r);
    Tensor view = base.t();
    g.broadcast(view, 2)->wait();
    broadcast[static_cast<size_t>(g.rank())] = values(base);
    std::vector<Tensor> outputs = {zeros({2}), zeros({2}), zeros({2})};
    g.allgather(outputs, tensor({r, r + 0.5}))->wait();
    for (const Tensor& t : outputs)
      for (double v : values(t)) gathered[static_cast<size_t>(g.rank())].push_back(v);
    g.barrier()->wait();
  });
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(broadcast[static_cast<size_t>(r)], std::vector<double>(6, 2.0));
    EXPECT_EQ(gathered[static_cast<size_t>(r)], (std::vector<double>{0, 0.5, 1, 1.5, 2, 2.5}));
  }
}

TEST(ThreadGroup, CollectivesRunInIssueOrderWhileTheRankGoesOn) {
  auto group = make_thread_group(2);
  on_every_rank(group, [&](ProcessGroup& g) {
    std::vector<Tensor> buckets;
    std::vector<std::shared_ptr<Work>> works;
    for (int i = 0; i < 20; ++i) {
      buckets.push_back(full({1000}, static_cast<double>(i + g.rank())));
      works.push_back(g.allreduce(buckets.back()));  // returns at once
    }
    for (int i = 19; i >= 0; --i) {
      works[static_cast<size_t>(i)]->wait();
      EXPECT_TRUE(works[static_cast<size_t>(i)]->done());
      EXPECT_EQ(values(buckets[static_cast<size_t>(i)])[999], 2.0 * i + 1);
    }
  });
}

TEST(ThreadGroup, MismatchedCallsFailOnEveryRankNamingBoth) {
  auto group = make_thread_group(2);
  const auto errors = on_every_rank(group, [&](ProcessGroup& g) {
    g.allreduce(zeros({g.rank() == 0 ? 3 : 4}))->wait();
  });
  for (const std::string& e : errors)
    EXPECT_THAT(e, testing::HasSubstr("allreduce #0: rank 0 gave a float32 tensor of shape [3] but rank 1 a float32 "
                                      "tensor of shape [4]"));
  const auto kinds = on_every_rank(group, [&](ProcessGroup& g) {
    if (g.rank() == 0) g.barrier()->wait();
    else g.broadcast(zeros({1}), 0)->wait();
  });
  for (const std::string& e : kinds) EXPECT_THAT(e, testing::HasSubstr("rank 0 called barrier but rank 1 called broadcast"));
  // The group stays usable after a failed collective.
  const auto fine = on_every_rank(group, [&](ProcessGroup& g) { g.allreduce(ones({2}))->wait(); });
  for (const std::string& e : fine) EXPECT_EQ(e, "");
  const auto avg = on_every_rank(group, [&](ProcessGroup& g) { g.allreduce(ones({2}, {.dtype = kInt64}), ReduceOp::avg)->wait(); });
  for (const std::string& e : avg) EXPECT_THAT(e, testing::HasSubstr("avg needs a floating-point tensor"));
  EXPECT_THAT([&] { group[0]->broadcast(zeros({1}), 5); },
              testing::ThrowsMessage<Error>(testing::HasSubstr("root 5 is not a rank of a group of 2")));
  EXPECT_THAT([] { make_thread_group(0); }, testing::ThrowsMessage<Error>(testing::HasSubstr("at least one rank")));
}

TEST(ThreadGroup, ARankThatNeverArrivesFailsTheOthersWithinTheTimeout) {
  auto group = make_thread_group(3, {.timeout_seconds = 0.3});
  const auto start = std::chrono::steady_clock::now();
  const auto errors = on_every_rank(group, [&](ProcessGroup& g) {
    if (g.rank() == 1) return;  // this rank "died"
    g.allreduce(ones({4}))->wait();
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 30);  // not a hang (the limit is generous: sanitizer builds are slow)
  EXPECT_THAT(errors[0], testing::HasSubstr("allreduce #0 timed out after 0.3 s"));
  EXPECT_THAT(errors[0], testing::HasSubstr("rank(s) 1 did not join it"));
  EXPECT_THAT(errors[2], testing::HasSubstr("timed out"));
  EXPECT_EQ(errors[1], "");
}

#include "tune/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "ember/error.h"

namespace ember::tune::detail {
namespace {

// Optuna's operation codes.
enum Op {
  kCreateStudy = 0,
  kDeleteStudy = 1,
  kSetStudyUserAttr = 2,
  kSetStudySystemAttr = 3,
  kCreateTrial = 4,
  kSetTrialParam = 5,
  kSetTrialStateValues = 6,
  kSetTrialIntermediateValue = 7,
  kSetTrialUserAttr = 8,
  kSetTrialSystemAttr = 9,
};

constexpr double kLockPatienceSeconds = 10;

std::string random_uuid() {
  std::random_device device;
  std::mt19937_64 g((static_cast<uint64_t>(device()) << 32) ^ device() ^
                    static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  char text[37];
  const uint64_t a = g(), b = g();
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return text;
}

// Local time with microseconds, as Python's datetime.now().isoformat(timespec="microseconds").
std::string now_iso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
  return std::string(text) + "." + std::to_string(1000000 + micros).substr(1);
}

// Optuna's JournalFileSymlinkLock: a symbolic link `path.lock` exists while
// one writer appends. Optuna only creates and removes the link, never reads
// it, so Ember's links point at a name that carries the writer's pid: a lock
// left by an Ember process that died holding it (a SIGKILL mid-append) is
// seen to be stale and removed. A lock that stays held longer than a writer
// ever needs (Optuna's, whose owner cannot be told) ends the wait with an
// error that says what to remove.
class SymlinkLock {
 public:
  explicit SymlinkLock(const std::string& path) : lock_(path + ".lock") {
    const std::string target = path + kEmberLockMark + std::to_string(::getpid());
    const auto start = std::chrono::steady_clock::now();
    auto wait = std::chrono::microseconds(1000);
    while (::symlink(target.c_str(), lock_.c_str()) != 0) {
      EMBER_CHECK(errno == EEXIST, "tune: cannot lock the journal ", path, " (", std::strerror(errno), ")");
      if (held_by_dead_ember_process()) {
        ::unlink(lock_.c_str());
        continue;
      }
      const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      EMBER_CHECK(waited < kLockPatienceSeconds, "tune: the journal's lock ", lock_, " has been held for ",
                  kLockPatienceSeconds, " s; if no other process is writing the study, a writer died holding it: "
                  "remove ", lock_, " and start again");
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::microseconds(100000));
    }
  }
  ~SymlinkLock() { ::unlink(lock_.c_str()); }
  SymlinkLock(const SymlinkLock&) = delete;
  SymlinkLock& operator=(const SymlinkLock&) = delete;

 private:
  static constexpr const char* kEmberLockMark = "#ember-pid-";

  bool held_by_dead_ember_process() const {
    char target[4096];
    const ssize_t n = ::readlink(lock_.c_str(), target, sizeof target - 1);
    if (n <= 0) return false;
    const std::string text(target, static_cast<size_t>(n));
    const size_t mark = text.rfind(kEmberLockMark);
    if (mark == std::string::npos) return false;  // Optuna's: its owner cannot be told
    const long pid = std::strtol(text.c_str() + mark + std::strlen(kEmberLockMark), nullptr, 10);
    return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
  }

  std::string lock_;
};

TrialState trial_state(const Json& json) {
  const int64_t state = json_integer(json);
  EMBER_CHECK(state >= 0 && state <= 4, "unknown trial state ", state);
  return static_cast<TrialState>(state);
}

std::string attr_key(const Json& attr) {
  EMBER_CHECK(attr.is_object() && attr.size() == 1, "an attribute operation holds one key");
  return attr.begin().key();
}

}  // namespace

Journal::Journal(std::string path) : path_(std::move(path)) {
  std::ostringstream tag;
  tag << std::this_thread::get_id();
  worker_id_ = random_uuid() + "-" + tag.str();
  if (path_.empty()) return;
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  EMBER_CHECK(fd >= 0, "tune: cannot open the journal ", path_, " (", std::strerror(errno), ")");
  ::close(fd);
  sync();
}

void Journal::sync() {
  if (path_.empty()) return;
  std::ifstream in(path_, std::ios::binary);
  EMBER_CHECK(in, "tune: cannot read the journal ", path_);
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t start = 0;
  // Only whole lines: a line still being written is read next time.
  for (size_t end = text.find('\n'); end != std::string::npos; start = end + 1, end = text.find('\n', start)) {
    const std::string line = text.substr(start, end - start);
    ++lines_read_;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const Json op = parse_line(line);
      apply(op, false);
    } catch (const std::exception& e) {
      warnings_.push_back(path_ + " line " + std::to_string(lines_read_) + " is not a journal operation (" +
                          e.what() + "); skipped");
    }
  }
  offset_ += start;
}

void Journal::append(Json op) {
  op["worker_id"] = worker_id_;
  if (path_.empty()) {
    apply(op, true);
    return;
  }
  std::string line = dump_line(op) + "\n";
  SymlinkLock lock(path_);
  sync();
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  EMBER_CHECK(fd >= 0, "tune: cannot open the journal ", path_, " (", std::strerror(errno), ")");
  uint64_t end = offset_;  // where our line goes
  struct stat info {};
  if (::fstat(fd, &info) == 0 && static_cast<uint64_t>(info.st_size) > offset_) {
    // A line without its end, under the lock: its writer died mid-line. Ended
    // here, so that ours stays a line of its own; the cut one is skipped.
    ++lines_read_;
    warnings_.push_back(path_ + " line " + std::to_string(lines_read_) +
                        " was cut off (its writer died while writing it); skipped");
    line.insert(0, "\n");
    end = static_cast<uint64_t>(info.st_size);
  }
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      // A partial line would make every later one unreadable: cut it off again.
      if (written > 0) (void)::ftruncate(fd, static_cast<off_t>(end));
      ::close(fd);
      ember::detail::fail("tune: cannot append to the journal ", path_, " (", why, ")");
    }
    written += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  offset_ = end + line.size();
  ++lines_read_;
  apply(op, true);
}

bool Journal::exists_and_open(int64_t trial_id, bool ours) const {
  if (trial_id < 0 || trial_id >= static_cast<int64_t>(trials_.size())) {
    EMBER_CHECK(!ours, "tune: trial id ", trial_id, " does not exist");
    return false;
  }
  if (trials_[trial_id].finished()) {
    EMBER_CHECK(!ours, "tune: trial ", trials_[trial_id].number, " has already finished and cannot be updated");
    return false;
  }
  return true;
}

void Journal::apply(const Json& op, bool ours) {
  const int64_t code = json_integer(op.at("op_code"));
  switch (code) {
    case kCreateStudy: {
      const std::string name = op.at("study_name").get<std::string>();
      for (const auto& [id, study] : studies_)
        if (study.name == name) {
          EMBER_CHECK(!ours, "tune: a study named '", name, "' already exists");
          return;
        }
      const Json& directions = op.at("directions");
      EMBER_CHECK(directions.is_array() && directions.size() == 1,
                  "tune: study '", name, "' has several objectives; Ember's studies have one");
      const int64_t d = json_integer(directions.at(0));
      EMBER_CHECK(d == 1 || d == 2, "tune: study '", name, "' has no direction");
      studies_[next_study_id_++] = {name, static_cast<Direction>(d), {}};
      return;
    }
    case kDeleteStudy: studies_.erase(json_integer(op.at("study_id"))); return;
    case kSetStudyUserAttr:
    case kSetStudySystemAttr: return;  // Ember's studies keep no attributes of their own
    case kCreateTrial: {
      const int64_t study_id = json_integer(op.at("study_id"));
      auto study = studies_.find(study_id);
      if (study == studies_.end()) {
        EMBER_CHECK(!ours, "tune: study id ", study_id, " does not exist");
        return;
      }
      FrozenTrial t;
      t.trial_id = static_cast<int64_t>(trials_.size());
      t.number = static_cast<int64_t>(study->second.trial_ids.size());
      t.state = op.contains("state") ? trial_state(op.at("state")) : TrialState::running;
      if (op.contains("datetime_start") && op.at("datetime_start").is_string())
        t.datetime_start = op.at("datetime_start").get<std::string>();
      if (op.contains("datetime_complete") && op.at("datetime_complete").is_string())
        t.datetime_complete = op.at("datetime_complete").get<std::string>();
      if (op.contains("distributions"))
        for (const auto& [name, text] : op.at("distributions").items())
          t.distributions[name] = distribution_from_json(text.get<std::string>());
      if (op.contains("params"))
        for (const auto& [name, value] : op.at("params").items()) {
          EMBER_CHECK(t.distributions.count(name), "parameter '", name, "' has no distribution");
          t.params[name] = json_number(value);
        }
      if (op.contains("value") && !op.at("value").is_null()) t.value = json_number(op.at("value"));
      if (op.contains("values") && op.at("values").is_array() && !op.at("values").empty())
        t.value = json_number(op.at("values").at(0));
      if (op.contains("intermediate_values"))
        for (const auto& [step, value] : op.at("intermediate_values").items())
          t.intermediate_values[std::stoll(step)] = json_number(value);
      if (op.contains("user_attrs"))
        for (const auto& [key, value] : op.at("user_attrs").items()) t.user_attrs[key] = dump_line(value);
      if (op.contains("system_attrs"))
        for (const auto& [key, value] : op.at("system_attrs").items()) t.system_attrs[key] = dump_line(value);
      study->second.trial_ids.push_back(t.trial_id);
      trials_.push_back(std::move(t));
      trial_study_.push_back(study_id);
      trial_creator_.push_back(op.value("worker_id", std::string()));
      if (ours) last_created_by_us_ = trials_.back().trial_id;
      return;
    }
    case kSetTrialParam: {
      const int64_t id = json_integer(op.at("trial_id"));
      if (!exists_and_open(id, ours)) return;
      const std::string name = op.at("param_name").get<std::string>();
      const Distribution d = distribution_from_json(op.at("distribution").get<std::string>());
      // A parameter keeps its distribution's kind over the study (as Optuna checks).
      for (int64_t other : studies_.at(trial_study_[id]).trial_ids) {
        auto it = trials_[other].distributions.find(name);
        if (it == trials_[other].distributions.end()) continue;
        if (!compatible(it->second, d)) {
          EMBER_CHECK(!ours, "tune: parameter '", name, "' was suggested from ", distribution_json(it->second),
                      " before; a parameter keeps its kind and its choices over a study, got ",
                      distribution_json(d));
          return;
        }
        break;
      }
      trials_[id].params[name] = json_number(op.at("param_value_internal"));
      trials_[id].distributions[name] = d;
      return;
    }
    case kSetTrialStateValues: {
      const int64_t id = json_integer(op.at("trial_id"));
      if (!exists_and_open(id, ours)) return;
      FrozenTrial& t = trials_[id];
      const TrialState state = trial_state(op.at("state"));
      if (state == TrialState::running && t.state == TrialState::running) return;
      if (state == TrialState::running && op.contains("datetime_start"))
        t.datetime_start = op.at("datetime_start").get<std::string>();
      t.state = state;
      if (t.finished() && op.contains("datetime_complete"))
        t.datetime_complete = op.at("datetime_complete").get<std::string>();
      const Json& values = op.at("values");
      if (values.is_array() && !values.empty()) t.value = json_number(values.at(0));
      return;
    }
    case kSetTrialIntermediateValue: {
      const int64_t id = json_integer(op.at("trial_id"));
      if (!exists_and_open(id, ours)) return;
      trials_[id].intermediate_values[json_integer(op.at("step"))] = json_number(op.at("intermediate_value"));
      return;
    }
    case kSetTrialUserAttr:
    case kSetTrialSystemAttr: {
      const int64_t id = json_integer(op.at("trial_id"));
      if (!exists_and_open(id, ours)) return;
      const Json& attr = op.at(code == kSetTrialUserAttr ? "user_attr" : "system_attr");
      const std::string key = attr_key(attr);
      (code == kSetTrialUserAttr ? trials_[id].user_attrs : trials_[id].system_attrs)[key] = dump_line(attr.at(key));
      return;
    }
    default: ember::detail::fail("unknown operation code ", code);
  }
}

int64_t Journal::open_study(const std::string& name, Direction direction, bool* created) {
  sync();
  for (const auto& [id, study] : studies_)
    if (study.name == name) {
      *created = false;
      return id;
    }
  append({{"op_code", kCreateStudy}, {"study_name", name}, {"directions", {static_cast<int>(direction)}}});
  for (const auto& [id, study] : studies_)
    if (study.name == name) {
      *created = true;
      return id;
    }
  ember::detail::fail("tune: the study '", name, "' was not created");
}

Direction Journal::direction(int64_t study_id) const { return studies_.at(study_id).direction; }

int64_t Journal::create_trial(int64_t study_id) {
  append({{"op_code", kCreateTrial}, {"study_id", study_id}, {"datetime_start", now_iso()}});
  return last_created_by_us_;
}

void Journal::set_param(int64_t trial_id, const std::string& name, double internal, const Distribution& distribution) {
  append({{"op_code", kSetTrialParam},
          {"trial_id", trial_id},
          {"param_name", name},
          {"param_value_internal", number_json(internal)},
          {"distribution", distribution_json(distribution)}});
}

void Journal::set_state(int64_t trial_id, TrialState state, std::optional<double> value) {
  Json op = {{"op_code", kSetTrialStateValues}, {"trial_id", trial_id}, {"state", static_cast<int>(state)}};
  op["values"] = value ? Json::array({number_json(*value)}) : Json();
  if (state == TrialState::running) op["datetime_start"] = now_iso();
  if (state == TrialState::complete || state == TrialState::pruned || state == TrialState::fail)
    op["datetime_complete"] = now_iso();
  append(op);
}

void Journal::set_intermediate_value(int64_t trial_id, int64_t step, double value) {
  append({{"op_code", kSetTrialIntermediateValue},
          {"trial_id", trial_id},
          {"step", step},
          {"intermediate_value", number_json(value)}});
}

void Journal::set_user_attr(int64_t trial_id, const std::string& key, const std::string& json) {
  append({{"op_code", kSetTrialUserAttr}, {"trial_id", trial_id}, {"user_attr", {{key, parse_line(json)}}}});
}

void Journal::set_system_attr(int64_t trial_id, const std::string& key, const std::string& json) {
  append({{"op_code", kSetTrialSystemAttr}, {"trial_id", trial_id}, {"system_attr", {{key, parse_line(json)}}}});
}

std::vector<FrozenTrial> Journal::trials(int64_t study_id) {
  sync();
  std::vector<FrozenTrial> out;
  for (int64_t id : studies_.at(study_id).trial_ids) out.push_back(trials_[id]);
  return out;
}

const FrozenTrial& Journal::trial(int64_t trial_id) const { return trials_.at(trial_id); }

std::vector<int64_t> Journal::foreign_running_trials(int64_t study_id) {
  sync();
  std::vector<int64_t> out;
  for (int64_t id : studies_.at(study_id).trial_ids)
    if (trials_[id].state == TrialState::running && trial_creator_[id] != worker_id_) out.push_back(id);
  return out;
}

}  // namespace ember::tune::detail

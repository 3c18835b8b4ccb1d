// Command-line flags: --name value pairs and --switches, each read once with
// its default, so `--help` can list everything and unknown flags are errors.
#pragma once

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ember/error.h"

namespace ember::cli {

class Args {
 public:
  Args(int argc, char** argv, int first);
  std::string get(const std::string& name, const std::string& fallback, const std::string& help);
  double number(const std::string& name, double fallback, const std::string& help, double lo, double hi);
  int64_t integer(const std::string& name, int64_t fallback, const std::string& help, int64_t lo, int64_t hi);
  bool flag(const std::string& name, const std::string& help);
  bool wants_help() const { return values_.count("help"); }
  bool given(const std::string& name) const { return values_.count(name); }
  std::vector<std::string> given_names() const;
  // After every get: an Error for any flag nobody asked for.
  void check_all_used() const;
  std::string usage() const { return usage_.str(); }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> used_;
  std::ostringstream usage_;
};

}  // namespace ember::cli

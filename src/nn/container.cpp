// Sequential, ModuleList and ModuleDict: lookups with errors that name the
// container, and Sequential's forward.
#include "ember/nn/container.h"

namespace ember::nn {

Module& ModuleHolder::get(size_t index, const char* owner) const {
  EMBER_CHECK(index < items_.size(), owner, ": index ", index, " is out of range for ", items_.size(), " modules");
  return *items_[index].second;
}

void ModuleHolder::check_new_name(const std::string& name, const char* owner) const {
  EMBER_CHECK(!name.empty() && name.find('.') == std::string::npos, owner, ": a child's name must be non-empty and ",
              "have no '.', got '", name, "'");
  for (const auto& [existing, m] : items_)
    EMBER_CHECK(existing != name, owner, ": a child named '", name, "' is already there");
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (auto& [name, m] : items_) x = (*m)(x);
  return x;
}

bool ModuleDict::contains(const std::string& key) const {
  for (const auto& [name, m] : items_)
    if (name == key) return true;
  return false;
}

Module& ModuleDict::operator[](const std::string& key) const {
  for (const auto& [name, m] : items_)
    if (name == key) return *m;
  detail::fail("ModuleDict: no module named '", key, "'");
}

std::vector<std::string> ModuleDict::keys() const {
  std::vector<std::string> out;
  for (const auto& [name, m] : items_) out.push_back(name);
  return out;
}

}  // namespace ember::nn

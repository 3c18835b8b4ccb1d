// Containers: Sequential (runs its modules in order), ModuleList and
// ModuleDict (hold modules; their owner decides how to run them). Children are
// named "0", "1", ... (or by key), so parameter names match PyTorch's.
//
//   nn::Sequential model(nn::Flatten(), nn::Linear(784, 10));
//   Tensor y = model(x);
//   auto& fc = model.at<nn::Linear>(1);
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/nn/module.h"

namespace ember::nn {

template <class M>
concept ModuleType = std::derived_from<std::decay_t<M>, Module>;

// Shared by the containers: an ordered list of named children.
class ModuleHolder {
 public:
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

 protected:
  // Takes a module by value (moved into shared storage) or a shared_ptr to one.
  template <ModuleType M>
  static std::shared_ptr<Module> own(M&& m) {
    return std::make_shared<std::decay_t<M>>(std::forward<M>(m));
  }
  template <ModuleType M>
  static std::shared_ptr<Module> own(std::shared_ptr<M> m) {
    return m;
  }
  Module& get(size_t index, const char* owner) const;
  // An Error when `name` is empty, has a '.', or is taken.
  void check_new_name(const std::string& name, const char* owner) const;
  void visit_items(Visitor& v) {
    for (auto& [name, m] : items_) v.module(name, *m);
  }
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> items_;
};

class Sequential : public Module, public ModuleHolder {
 public:
  Sequential() : Module("Sequential") {}
  template <class... Ms>
    requires(sizeof...(Ms) > 0)
  explicit Sequential(Ms&&... modules) : Module("Sequential") {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  template <class M>
  void push_back(M&& m) {
    items_.push_back({std::to_string(items_.size()), own(std::forward<M>(m))});
  }
  // A child under its own name (as nn.Sequential(OrderedDict(...))): features.conv0.weight.
  template <class M>
  void push_back(const std::string& name, M&& m) {
    check_new_name(name, "Sequential");
    items_.push_back({name, own(std::forward<M>(m))});
  }
  Module& operator[](size_t index) const { return get(index, "Sequential"); }
  // The module at `index` as its own type; an Error if it is not one.
  template <ModuleType M>
  M& at(size_t index) const;

  void visit(Visitor& v) override { visit_items(v); }
  Tensor forward(const Tensor& input) override;
};

class ModuleList : public Module, public ModuleHolder {
 public:
  ModuleList() : Module("ModuleList") {}
  template <class... Ms>
    requires(sizeof...(Ms) > 0)
  explicit ModuleList(Ms&&... modules) : Module("ModuleList") {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  template <class M>
  void push_back(M&& m) {
    items_.push_back({std::to_string(items_.size()), own(std::forward<M>(m))});
  }
  Module& operator[](size_t index) const { return get(index, "ModuleList"); }
  template <ModuleType M>
  M& at(size_t index) const {
    auto* typed = dynamic_cast<M*>(&get(index, "ModuleList"));
    EMBER_CHECK(typed, "ModuleList.at: module ", index, " is a ", get(index, "ModuleList").type_name());
    return *typed;
  }
  void visit(Visitor& v) override { visit_items(v); }
};

class ModuleDict : public Module, public ModuleHolder {
 public:
  ModuleDict() : Module("ModuleDict") {}
  // Inserts or replaces; insertion order is kept (as PyTorch's ordered dict).
  template <class M>
  void insert(const std::string& key, M&& m) {
    for (auto& [name, held] : items_)
      if (name == key) {
        held = own(std::forward<M>(m));
        return;
      }
    items_.push_back({key, own(std::forward<M>(m))});
  }
  bool contains(const std::string& key) const;
  Module& operator[](const std::string& key) const;
  std::vector<std::string> keys() const;
  void visit(Visitor& v) override { visit_items(v); }
};

template <ModuleType M>
M& Sequential::at(size_t index) const {
  auto* typed = dynamic_cast<M*>(&get(index, "Sequential"));
  EMBER_CHECK(typed, "Sequential.at: module ", index, " is a ", get(index, "Sequential").type_name());
  return *typed;
}

}  // namespace ember::nn

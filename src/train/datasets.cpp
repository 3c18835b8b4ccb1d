// Building the datasets a run names.
#include "ember/train/datasets.h"

#include <numeric>

namespace ember::train {

std::vector<std::pair<std::string, std::string>> dataset_list() {
  return {{"fashion-mnist", "Fashion-MNIST, 60k/10k 28x28 grayscale (default root: Debian's dataset-fashion-mnist)"},
          {"mnist", "MNIST digits, IDX files (--data-root DIR)"},
          {"cifar10", "CIFAR-10, binary version (--data-root DIR)"},
          {"csv", "a CSV table (--data-root FILE --target COLUMN); 20% held out for testing"},
          {"synthetic", "seeded Gaussian blobs, 2 features, 4 classes"},
          {"copy", "copy a random token sequence (--seq-len tokens, 10 symbols), for transformer"},
          {"reverse", "reverse a random token sequence (--seq-len tokens, 10 symbols), for transformer"},
          {"text", "characters of a text file (--data-root FILE; default: a built-in sample), for gpt; last 10% for testing"}};
}

namespace {

// How to get a dataset that is not where it was looked for.
std::string how_to_get(const std::string& name) {
  if (name == "fashion-mnist")
    return "install Debian's package (apt-get install dataset-fashion-mnist; it goes to "
           "/usr/share/datasets/fashion-mnist) or pass --data-root DIR holding the four IDX files";
  if (name == "mnist")
    return "download the four IDX files (train-images-idx3-ubyte.gz, ...) from "
           "http://yann.lecun.com/exdb/mnist/ into DIR and pass --data-root DIR";
  if (name == "cifar10")
    return "download the binary version (cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html), "
           "unpack it and pass --data-root with the folder holding data_batch_1.bin ... test_batch.bin";
  return "";
}

LoadedData load_named(const std::string& name, const std::string& root, const std::string& target, uint64_t seed,
                      int64_t seq_len, int64_t max_classes);

}  // namespace

LoadedData load_data(const std::string& name, const std::string& root, const std::string& target, uint64_t seed,
                     int64_t seq_len, int64_t max_classes) {
  try {
    return load_named(name, root, target, seed, seq_len, max_classes);
  } catch (const Error& e) {
    const std::string what = e.what();
    const bool downloadable = name == "fashion-mnist" || name == "mnist" || name == "cifar10";
    if (!downloadable || what.find("needs --data-root") != std::string::npos) throw;
    detail::fail(what, "\n  to get it: ", how_to_get(name));
  }
}

namespace {

LoadedData load_named(const std::string& name, const std::string& root, const std::string& target, uint64_t seed,
                      int64_t seq_len, int64_t max_classes) {
  LoadedData out;
  if (name == "fashion-mnist" || name == "mnist") {
    const bool fashion = name == "fashion-mnist";
    EMBER_CHECK(fashion || !root.empty(), "--dataset mnist needs --data-root DIR (the folder with the IDX files)");
    const std::string dir = root.empty() ? data::FashionMNIST::kDefaultRoot : root;
    std::shared_ptr<data::MNIST> train, test;
    if (fashion) {
      train = std::make_shared<data::FashionMNIST>(dir, true);
      test = std::make_shared<data::FashionMNIST>(dir, false);
    } else {
      train = std::make_shared<data::MNIST>(dir, true);
      test = std::make_shared<data::MNIST>(dir, false);
    }
    out = {train, test, {{1, 28, 28}, 10}, train->classes(), nullptr};
  } else if (name == "cifar10") {
    EMBER_CHECK(!root.empty(), "--dataset cifar10 needs --data-root DIR (the binary version's folder)");
    out = {std::make_shared<data::CIFAR10>(root, true), std::make_shared<data::CIFAR10>(root, false), {{3, 32, 32}, 10},
           {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}, nullptr};
  } else if (name == "csv") {
    EMBER_CHECK(!root.empty() && !target.empty(), "--dataset csv needs --data-root FILE and --target COLUMN");
    auto table = std::make_shared<data::CSVDataset>(root, data::CSVOptions{.target = target});
    const auto [features, targets] = *table->tensors();
    Generator g(seed);
    auto parts = data::random_split(table, std::vector<double>{0.8, 0.2}, g);
    // Standardize with the training split's statistics only.
    auto standardized = [&](const std::shared_ptr<data::Subset>& s, const Tensor& mean, const Tensor& std) {
      const Tensor idx = tensor(s->indices());
      const Tensor x = (index_select(features, 0, idx) - mean) / where(eq(std, 0), ones_like(std), std);
      return std::make_shared<data::TensorDataset>(x, index_select(targets, 0, idx));
    };
    const Tensor train_x = index_select(features, 0, tensor(parts[0]->indices()));
    const Tensor mean = train_x.mean({0}), std = train_x.var({0}, 0).sqrt();
    const int64_t classes = targets.max().item<int64_t>() + 1;
    EMBER_CHECK(classes <= max_classes, "--dataset csv: the targets of column '", target, "' in ", root, " name ",
                classes, " classes (the largest class id is ", classes - 1, "), more than --max-classes ", max_classes,
                "; check the target column, or raise --max-classes");
    out.train = standardized(parts[0], mean, std);
    out.test = standardized(parts[1], mean, std);
    out.spec = {{features.size(1), 1, 1}, classes};
  } else if (name == "synthetic") {
    auto all = data::make_blobs(5000, 2, 4, seed, 2.0);
    Generator g(seed);
    auto parts = data::random_split(all, std::vector<double>{0.8, 0.2}, g);
    out = {parts[0], parts[1], {{2, 1, 1}, 4}, {}, nullptr};
  } else if (name == "copy" || name == "reverse") {
    constexpr int64_t kVocab = 12;  // padding, BOS and 10 symbols
    out = {data::make_sequence_task(name, 20000, seq_len, kVocab, seed),
           data::make_sequence_task(name, 2000, seq_len, kVocab, seed + 1), {{seq_len}, kVocab}, {}, nullptr};
  } else if (name == "text") {
    auto text = root.empty() ? std::make_shared<data::CharText>(data::CharText::sample_text(), seq_len)
                             : data::CharText::from_file(root, seq_len);
    // The last tenth of the windows (at least one) is the test text: no window is in both.
    const int64_t n = text->size(), test = std::max<int64_t>(n / 10, 1);
    EMBER_CHECK(n >= 2, "--dataset text: the text makes only ", n, " window of ", seq_len,
                " characters; a longer text or a smaller --seq-len is needed");
    std::vector<int64_t> train_idx(static_cast<size_t>(n - test)), test_idx(static_cast<size_t>(test));
    std::iota(train_idx.begin(), train_idx.end(), int64_t{0});
    std::iota(test_idx.begin(), test_idx.end(), n - test);
    out = {std::make_shared<data::Subset>(text, train_idx), std::make_shared<data::Subset>(text, test_idx),
           {{seq_len}, static_cast<int64_t>(text->vocabulary().size())}, text->vocabulary(), text};
  } else {
    std::string known;
    for (const auto& [n, d] : dataset_list()) known += (known.empty() ? "" : ", ") + n;
    detail::fail("unknown dataset '", name, "'; known datasets: ", known);
  }
  EMBER_CHECK(out.spec.classes <= max_classes, "--dataset ", name, ": it has ", out.spec.classes,
              " classes, more than --max-classes ", max_classes);
  if (out.class_names.empty())
    for (int64_t c = 0; c < out.spec.classes; ++c) out.class_names.push_back(std::to_string(c));
  return out;
}

}  // namespace

}  // namespace ember::train

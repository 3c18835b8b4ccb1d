// Character-level text windows for language models.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "ember/creation.h"
#include "ember/data/datasets.h"

namespace ember::data {

CharText::CharText(std::string text, int64_t seq_len) {
  EMBER_CHECK(seq_len > 0, "CharText: seq_len must be positive, got ", seq_len);
  const int64_t n = static_cast<int64_t>(text.size());
  EMBER_CHECK(n > seq_len, "CharText: the text has ", n, " characters; at least seq_len + 1 = ", seq_len + 1,
              " are needed for one example");
  std::fill(std::begin(ids_of_), std::end(ids_of_), -1);
  bool present[256] = {};
  for (unsigned char c : text) present[c] = true;
  for (int c = 0; c < 256; ++c)
    if (present[c]) {
      ids_of_[c] = static_cast<int>(vocabulary_.size());
      vocabulary_.push_back(std::string(1, static_cast<char>(c)));
    }
  const int64_t windows = (n - 1) / seq_len;
  std::vector<int64_t> inputs(static_cast<size_t>(windows * seq_len)), targets(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    inputs[i] = ids_of_[static_cast<unsigned char>(text[i])];
    targets[i] = ids_of_[static_cast<unsigned char>(text[i + 1])];
  }
  inputs_ = tensor(inputs).view({windows, seq_len});
  targets_ = tensor(targets).view({windows, seq_len});
}

std::shared_ptr<CharText> CharText::from_file(const std::string& path, int64_t seq_len) {
  std::ifstream in(path, std::ios::binary);
  EMBER_CHECK(in.good(), "CharText: cannot read ", path);
  std::ostringstream text;
  text << in.rdbuf();
  return std::make_shared<CharText>(text.str(), seq_len);
}

Example CharText::get(int64_t index) const {
  EMBER_CHECK(index >= 0 && index < size(), "CharText: index ", index, " is out of range for ", size(), " examples");
  return {inputs_[index], targets_[index]};
}

Tensor CharText::encode(const std::string& text) const {
  std::vector<int64_t> ids;
  for (unsigned char c : text) {
    EMBER_CHECK(ids_of_[c] >= 0, "CharText::encode: character ", static_cast<int>(c), " ('", std::string(1, static_cast<char>(c)),
                "') is not in the vocabulary");
    ids.push_back(ids_of_[c]);
  }
  return tensor(ids);
}

std::string CharText::decode(const Tensor& ids) const {
  std::string out;
  for (int64_t id : ids.reshape({-1}).to(Dtype::int64).to_vector<int64_t>()) {
    EMBER_CHECK(id >= 0 && id < static_cast<int64_t>(vocabulary_.size()), "CharText::decode: id ", id,
                " is outside the vocabulary of ", vocabulary_.size());
    out += vocabulary_[static_cast<size_t>(id)];
  }
  return out;
}

}  // namespace ember::data

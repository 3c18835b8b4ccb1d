// The safetensors header parser: every field validated before any data is
// touched (see safetensors_format.h).
#include "io/safetensors_format.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "ember/error.h"

namespace ember::safetensors {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

using Json = nlohmann::json;

const char* format_dtype(Dtype dtype) {
  switch (dtype) {
    case Dtype::boolean: return "BOOL";
    case Dtype::uint8: return "U8";
    case Dtype::int16: return "I16";
    case Dtype::int32: return "I32";
    case Dtype::int64: return "I64";
    case Dtype::float16: return "F16";
    case Dtype::bfloat16: return "BF16";
    case Dtype::float32: return "F32";
    case Dtype::float64: return "F64";
  }
  return "";
}

std::optional<Dtype> parse_dtype(const std::string& name) {
  for (Dtype d : {Dtype::boolean, Dtype::uint8, Dtype::int16, Dtype::int32, Dtype::int64, Dtype::float16,
                  Dtype::bfloat16, Dtype::float32, Dtype::float64})
    if (name == format_dtype(d)) return d;
  return std::nullopt;
}

Layout parse_layout(const char* file, size_t size, const std::string& path, Metadata* metadata) {
  auto bad = [&](const auto&... parts) { detail::fail("load: ", path, " is not a valid safetensors file: ", parts...); };
  if (size < 8) bad(size, " bytes is too short for the 8-byte header length");
  uint64_t length;
  std::memcpy(&length, file, 8);
  if (length > size - 8) bad("the header length (", length, ") runs past the end of the file (", size, " bytes)");
  const char* text = file + 8;
  const uint64_t data_size = size - 8 - length;

  std::set<std::string> seen;
  std::string duplicate;
  Json header;
  try {
    header = Json::parse(text, text + length, [&](int depth, Json::parse_event_t event, Json& parsed) {
      if (depth == 1 && event == Json::parse_event_t::key && !seen.insert(parsed.get<std::string>()).second)
        duplicate = parsed.get<std::string>();
      return true;
    });
  } catch (const Json::exception& e) {
    bad("malformed JSON header (", e.what(), ")");
  }
  if (!duplicate.empty()) bad("tensor name '", duplicate, "' appears twice");
  if (!header.is_object()) bad("the header is not a JSON object");
  Layout layout{.entries = {}, .data_offset = 8 + length};
  std::vector<Entry>& entries = layout.entries;
  for (auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      if (!info.is_object()) bad("__metadata__ is not an object");
      for (auto& [k, v] : info.items()) {
        if (!v.is_string()) bad("__metadata__ value of '", k, "' is not a string");
        if (metadata) (*metadata)[k] = v.get<std::string>();
      }
      continue;
    }
    if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") || !info.contains("data_offsets"))
      bad("entry '", name, "' needs dtype, shape and data_offsets");
    const Json& dt = info["dtype"];
    const std::optional<Dtype> dtype = dt.is_string() ? parse_dtype(dt.get<std::string>()) : std::nullopt;
    if (!dtype) bad("entry '", name, "' has unknown dtype ", dt.dump());
    Entry e{name, *dtype, {}, 0, 0};
    const Json& shape = info["shape"];
    if (!shape.is_array()) bad("entry '", name, "' has a shape that is not an array");
    uint64_t numel = 1;
    for (const Json& s : shape) {
      if (!s.is_number_unsigned()) bad("entry '", name, "' has a non-integer or negative size in its shape");
      const uint64_t v = s.get<uint64_t>();
      if (v > (uint64_t{1} << 48) || (v > 0 && numel > (uint64_t{1} << 48) / v)) bad("entry '", name, "' is too large");
      numel *= v;
      e.shape.push_back(static_cast<int64_t>(v));
    }
    const Json& offsets = info["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
      bad("entry '", name, "' needs data_offsets [begin, end]");
    e.begin = offsets[0].get<uint64_t>();
    e.end = offsets[1].get<uint64_t>();
    if (e.begin > e.end || e.end > data_size)
      bad("entry '", name, "' has data_offsets [", e.begin, ", ", e.end, "] outside the ", data_size, " data bytes");
    if (e.end - e.begin != numel * element_size(e.dtype))
      bad("entry '", name, "' has ", e.end - e.begin, " bytes but shape ", e.shape, " of ", format_dtype(e.dtype),
          " needs ", numel * element_size(e.dtype));
    entries.push_back(std::move(e));
  }
  // The tensors must tile the data exactly: no overlap, no gap, nothing left over.
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t at = 0;
  for (const Entry* e : by_offset) {
    if (e->begin < at) bad("entry '", e->name, "' overlaps the tensor before it");
    if (e->begin > at) bad("bytes ", at, " to ", e->begin, " of the data belong to no tensor");
    at = e->end;
  }
  if (at != data_size) bad("the data has ", data_size - at, " bytes after the last tensor");
  return layout;
}

}  // namespace ember::safetensors

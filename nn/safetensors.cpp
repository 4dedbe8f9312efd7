#include "nn/safetensors.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "tensor/atomic_file.h"

namespace convgrad {

namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// The safetensors reference implementation refuses headers above 100 MB; so do we.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr int kMaxHeaderDepth = 16;

void check_little_endian() {
  const uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  CONVGRAD_CHECK(first == 1, "safetensors: expected a little-endian machine, but this one is big-endian");
}

const char* safetensors_dtype(DType dtype) { return dtype == DType::Float32 ? "F32" : "F64"; }

std::string read_whole_file(const std::string& path) {
  try {
    return read_file(path);
  } catch (const Error& e) {
    throw Error(str_cat("read_safetensors: ", e.what()));
  }
}

// A name or string from the file as it appears in a one-line message: control characters
// (a JSON string may hold "\n") written as \uXXXX, long names cut short.
std::string printable(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < 80; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return text.size() > 80 ? out + "..." : out;
}

std::string offsets_str(uint64_t begin, uint64_t end) { return str_cat("[", begin, ", ", end, "]"); }

// One header entry, checked against the data section.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin;
  uint64_t end;
};

Entry parse_entry(const std::string& path, const std::string& name, const Json& info, uint64_t data_bytes) {
  const std::string where = str_cat("read_safetensors: '", path, "': tensor '", printable(name), "': ");
  CONVGRAD_CHECK(info.is_object(), where, "expected an object with dtype, shape and data_offsets, but got ",
                 info.type_name());
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    CONVGRAD_CHECK(info.contains(key), where, "expected a '", key, "' field, but it is missing");
  }
  Entry entry{name, DType::Float32, {}, 0, 0};

  const Json& dtype = info["dtype"];
  CONVGRAD_CHECK(dtype.is_string(), where, "expected dtype to be a string, but got ", dtype.dump());
  const std::string dtype_name = dtype.get<std::string>();
  CONVGRAD_CHECK(dtype_name == "F32" || dtype_name == "F64", where,
                 "expected dtype F32 or F64, but got '", printable(dtype_name), "' (convgrad reads float32 and float64 only)");
  entry.dtype = dtype_name == "F32" ? DType::Float32 : DType::Float64;

  const Json& shape = info["shape"];
  CONVGRAD_CHECK(shape.is_array(), where, "expected shape to be a list of sizes, but got ", shape.dump());
  uint64_t needed = dtype_size(entry.dtype);  // bytes that shape x dtype need
  // NOTE: the non-zero sizes must multiply without overflow even in an empty tensor, so that
  // no later product of some of its sizes (H * W, ...) can overflow.
  uint64_t nonzero = needed;
  for (const Json& size : shape) {
    CONVGRAD_CHECK(size.is_number_unsigned() &&
                       size.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
                   where, "expected shape to hold non-negative integers, but got ", shape.dump());
    const uint64_t n = size.get<uint64_t>();
    entry.shape.push_back(static_cast<int64_t>(n));
    if (n == 0) {
      needed = 0;
      continue;
    }
    CONVGRAD_CHECK(nonzero <= std::numeric_limits<uint64_t>::max() / n, where,
                   "expected a shape whose size fits in memory, but got ", shape.dump());
    nonzero *= n;
    needed *= n;  // <= nonzero
  }

  const Json& offsets = info["data_offsets"];
  CONVGRAD_CHECK(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                     offsets[1].is_number_unsigned(),
                 where, "expected data_offsets to be [begin, end] with non-negative integers, but got ",
                 offsets.dump());
  entry.begin = offsets[0].get<uint64_t>();
  entry.end = offsets[1].get<uint64_t>();
  CONVGRAD_CHECK(entry.begin <= entry.end, where, "expected data_offsets with begin <= end, but got ",
                 offsets_str(entry.begin, entry.end));
  CONVGRAD_CHECK(entry.end <= data_bytes, where, "expected data_offsets within the data section of ", data_bytes,
                 " bytes, but got ", offsets_str(entry.begin, entry.end), " (the file is truncated or the offsets are wrong)");
  CONVGRAD_CHECK(entry.end - entry.begin == needed, where, "expected data_offsets spanning ", needed,
                 " bytes for shape ", shape_str(entry.shape), " of ", dtype_name, ", but got ",
                 offsets_str(entry.begin, entry.end), " (", entry.end - entry.begin, " bytes)");
  return entry;
}

void check_no_overlap(const std::string& path, std::vector<Entry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  const Entry* previous = nullptr;
  for (const Entry& entry : entries) {
    if (entry.begin == entry.end) continue;  // empty tensors occupy no bytes
    if (previous != nullptr) {
      CONVGRAD_CHECK(previous->end <= entry.begin, "read_safetensors: '", path,
                     "': expected non-overlapping data_offsets, but tensor '", printable(previous->name), "' ",
                     offsets_str(previous->begin, previous->end), " overlaps tensor '", printable(entry.name), "' ",
                     offsets_str(entry.begin, entry.end));
    }
    previous = &entry;
  }
}

}  // namespace

TensorMap read_safetensors(const std::string& path, Metadata* metadata) {
  return parse_safetensors(read_whole_file(path), path, metadata);
}

TensorMap parse_safetensors(const std::string& bytes, const std::string& path, Metadata* metadata) {
  check_little_endian();
  const std::string where = str_cat("read_safetensors: '", path, "': ");
  const uint64_t file_size = bytes.size();
  CONVGRAD_CHECK(file_size >= 8, where, "truncated file: expected at least 8 bytes (the header length), but got ",
                 file_size, " bytes");
  uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, bytes.data(), 8);
  CONVGRAD_CHECK(header_bytes <= file_size - 8, where, "expected a header length of at most ", file_size - 8,
                 " bytes (the rest of the file), but got ", header_bytes,
                 " (the file is truncated or not a safetensors file)");
  CONVGRAD_CHECK(header_bytes <= kMaxHeaderBytes, where, "expected a header length of at most ", kMaxHeaderBytes,
                 " bytes, but got ", header_bytes);

  Json header;
  try {
    // NOTE: a depth limit, because nlohmann's dump() (used in messages) recurses and a header
    // of 100,000 '[' would overflow the stack; a real header is 3 levels deep.
    const auto limit_depth = [&where](int depth, Json::parse_event_t, Json&) {
      CONVGRAD_CHECK(depth <= kMaxHeaderDepth, where, "expected a JSON header nested at most ", kMaxHeaderDepth,
                     " levels deep, but it is nested deeper");
      return true;
    };
    header = Json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_bytes), limit_depth);
  } catch (const Json::exception& e) {
    throw Error(str_cat(where, "expected a JSON header, but it does not parse: ", e.what()));
  }
  CONVGRAD_CHECK(header.is_object(), where, "expected the header to be a JSON object, but got ", header.type_name());

  const uint64_t data_offset = 8 + header_bytes;
  const uint64_t data_bytes = file_size - data_offset;
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      CONVGRAD_CHECK(info.is_object(), where, "expected __metadata__ to be an object of strings, but got ",
                     info.dump());
      for (const auto& [key, value] : info.items()) {
        CONVGRAD_CHECK(value.is_string(), where, "expected __metadata__ values to be strings, but '", printable(key),
                       "' is ", value.dump());
        if (metadata != nullptr) (*metadata)[key] = value.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(path, name, info, data_bytes));
  }
  check_no_overlap(path, entries);

  TensorMap tensors;
  for (const Entry& entry : entries) {
    Tensor tensor = Tensor::empty(entry.shape, entry.dtype);
    if (entry.end > entry.begin) {
      std::memcpy(tensor.raw_data(), bytes.data() + data_offset + entry.begin, entry.end - entry.begin);
    }
    tensors.emplace(entry.name, std::move(tensor));
  }
  return tensors;
}

void write_safetensors(const std::string& path, const NamedTensors& tensors, const Metadata& metadata) {
  check_little_endian();
  OrderedJson header = OrderedJson::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    CONVGRAD_CHECK(!name.empty() && name != "__metadata__", "write_safetensors: '", path,
                   "': expected tensor names other than '' and '__metadata__', but got '", name, "'");
    CONVGRAD_CHECK(names.insert(name).second, "write_safetensors: '", path,
                   "': expected unique tensor names, but got '", name, "' twice");
    CONVGRAD_CHECK(tensor.defined(), "write_safetensors: '", path, "': expected a defined tensor for '", name,
                   "', but got an undefined one");
    const uint64_t size = static_cast<uint64_t>(tensor.numel()) * dtype_size(tensor.dtype());
    header[name] = {{"dtype", safetensors_dtype(tensor.dtype())},
                    {"shape", tensor.shape()},
                    {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');  // align the data section to 8 bytes

  std::string bytes(8, '\0');
  const uint64_t header_bytes = header_text.size();
  std::memcpy(&bytes[0], &header_bytes, 8);
  bytes += header_text;
  bytes.reserve(bytes.size() + offset);
  for (const auto& entry : tensors) {
    const Tensor& tensor = entry.second;
    bytes.append(static_cast<const char*>(tensor.raw_data()), tensor.numel() * dtype_size(tensor.dtype()));
  }
  try {
    write_file_atomically(path, bytes);  // tensor/atomic_file.h: temp file, fsync, rename
  } catch (const Error& e) {
    throw Error(str_cat("write_safetensors: ", e.what(), " (the existing file, if any, is unchanged)"));
  }
}

void write_safetensors(const std::string& path, const TensorMap& tensors, const Metadata& metadata) {
  write_safetensors(path, NamedTensors(tensors.begin(), tensors.end()), metadata);
}

}  // namespace convgrad

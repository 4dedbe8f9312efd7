#include "tensor/npy.h"

#include <cstring>
#include <limits>

#include "tensor/atomic_file.h"

namespace convgrad {

namespace {

// Header text as it appears in a one-line error message: in `quote`s, control characters
// written as \xNN, cut short after 60 characters.
std::string shown(const std::string& text, char quote = '"') {
  constexpr size_t kMaxShown = 60;
  std::string out(1, quote);
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMaxShown) out += "...";
  return out + quote;
}

// The header is a Python dict literal: {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
// Returns the text after 'key': (trimmed of spaces), or throws.
std::string header_value(const std::string& header, const std::string& key, const std::string& name) {
  const std::string quoted[] = {"'" + key + "'", "\"" + key + "\""};
  for (const auto& q : quoted) {
    const size_t at = header.find(q);
    if (at == std::string::npos) continue;
    size_t pos = header.find(':', at + q.size());
    CONVGRAD_CHECK(pos != std::string::npos, name, ": malformed .npy header: no value for '", key, "'");
    ++pos;
    while (pos < header.size() && header[pos] == ' ') ++pos;
    return header.substr(pos);
  }
  throw Error(name + ": malformed .npy header: expected a '" + key + "' entry, but got " + shown(header));
}

Shape parse_shape(const std::string& text, const std::string& name) {
  CONVGRAD_CHECK(!text.empty() && text[0] == '(', name, ": malformed .npy header: expected a shape tuple, but got ",
                 shown(text));
  const size_t close = text.find(')');
  CONVGRAD_CHECK(close != std::string::npos, name, ": malformed .npy header: unterminated shape tuple");
  Shape shape;
  const std::string inner = text.substr(1, close - 1);
  size_t pos = 0;
  while (pos < inner.size()) {
    while (pos < inner.size() && (inner[pos] == ' ' || inner[pos] == ',')) ++pos;
    if (pos >= inner.size()) break;
    size_t end = pos;
    while (end < inner.size() && inner[end] >= '0' && inner[end] <= '9') ++end;
    CONVGRAD_CHECK(end > pos && end - pos <= 12, name, ": malformed .npy header: expected sizes in the shape, but got ",
                   shown("(" + inner + ")"));
    shape.push_back(std::stoll(inner.substr(pos, end - pos)));
    pos = end;
  }
  return shape;
}

std::string descr_of(const std::string& header, const std::string& name) {
  const std::string value = header_value(header, "descr", name);
  CONVGRAD_CHECK(value.size() >= 2 && (value[0] == '\'' || value[0] == '"'), name,
                 ": malformed .npy header: expected a quoted descr, but got ", shown(value));
  const size_t end = value.find(value[0], 1);
  CONVGRAD_CHECK(end != std::string::npos, name, ": malformed .npy header: unterminated descr");
  return value.substr(1, end - 1);
}

template <typename From>
void convert_to_double(const char* src, int64_t n, double* dst) {
  for (int64_t i = 0; i < n; ++i) {
    From v;
    std::memcpy(&v, src + i * sizeof(From), sizeof(From));
    dst[i] = static_cast<double>(v);
  }
}

}  // namespace

Tensor parse_npy(const std::string& bytes, const std::string& name) {
  CONVGRAD_CHECK(bytes.size() >= 10 && std::memcmp(bytes.data(), "\x93NUMPY", 6) == 0, name,
                 ": expected a .npy file (magic \\x93NUMPY), but got ",
                 bytes.size() < 6 ? "a file of " + std::to_string(bytes.size()) + " bytes" : "other bytes");
  const int major = static_cast<unsigned char>(bytes[6]);
  CONVGRAD_CHECK(major >= 1 && major <= 3, name, ": expected .npy format version 1-3, but got ", major);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else {
    CONVGRAD_CHECK(bytes.size() >= 12, name, ": truncated .npy file: ", bytes.size(), " bytes");
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  }
  CONVGRAD_CHECK(offset + header_len <= bytes.size(), name, ": truncated .npy file: the header needs ",
                 offset + header_len, " bytes, but the file has ", bytes.size());
  const std::string header = bytes.substr(offset, header_len);
  const std::string descr = descr_of(header, name);
  const std::string fortran = header_value(header, "fortran_order", name);
  CONVGRAD_CHECK(fortran.rfind("False", 0) == 0, name, ": expected C order (fortran_order False), but got ",
                 shown(fortran.substr(0, fortran.find_first_of(",}"))));
  const Shape shape = parse_shape(header_value(header, "shape", name), name);

  size_t item = 0;
  if (descr == "<f8" || descr == "<i8") item = 8;
  else if (descr == "<f4" || descr == "<i4") item = 4;
  else
    throw Error(name + ": expected dtype '<f4' or '<f8' (little-endian float32/float64), but got " + shown(descr, '\''));
  // The element count, guarding against absurd shapes that would overflow.
  const size_t available = bytes.size() - offset - header_len;
  // NOTE: the non-zero sizes must multiply without overflow even when another size is 0, so
  // that no later product of some of the sizes (H * W, ...) can overflow.
  size_t count = 1, nonzero = 1;
  for (int64_t s : shape) {
    CONVGRAD_CHECK(s == 0 || nonzero <= (std::numeric_limits<size_t>::max() / 16) / static_cast<size_t>(s), name,
                   ": shape ", shape_str(shape), " needs more data than the file's ", available, " bytes");
    if (s != 0) nonzero *= static_cast<size_t>(s);
    count *= static_cast<size_t>(s);  // <= nonzero
  }
  CONVGRAD_CHECK(count * item == available, name, ": shape ", shape_str(shape), " of '", descr, "' needs ",
                 count * item, " data bytes, but the file has ", available);

  const char* src = bytes.data() + offset + header_len;
  if (descr == "<f4") {
    Tensor t = Tensor::empty(shape, DType::Float32);
    std::memcpy(t.raw_data(), src, count * 4);
    return t;
  }
  Tensor t = Tensor::empty(shape, DType::Float64);
  double* dst = t.data<double>();
  if (descr == "<f8") std::memcpy(dst, src, count * 8);
  else if (descr == "<i8") convert_to_double<int64_t>(src, static_cast<int64_t>(count), dst);
  else convert_to_double<int32_t>(src, static_cast<int64_t>(count), dst);
  return t;
}

Tensor read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

std::string serialize_npy(const Tensor& tensor) {
  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape().size(); ++i) shape += std::to_string(tensor.shape()[i]) + ", ";
  if (tensor.shape().size() > 1) shape.resize(shape.size() - 2);  // (3, 4) — but (3,) for one dim
  else if (tensor.shape().size() == 1) shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = std::string("{'descr': '") + (tensor.dtype() == DType::Float32 ? "<f4" : "<f8") +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so magic + version + length + header is a multiple of 64, ending in '\n'.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(static_cast<const char*>(tensor.raw_data()),
             static_cast<size_t>(tensor.numel()) * dtype_size(tensor.dtype()));
  return out;
}

void write_npy(const std::string& path, const Tensor& tensor) {
  write_file_atomically(path, serialize_npy(tensor));
}

}  // namespace convgrad

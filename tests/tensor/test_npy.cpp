#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "tensor/atomic_file.h"
#include "tensor/npy.h"

using namespace convgrad;

TEST_CASE("npy round trip in both dtypes") {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    Tensor x = Tensor::from_vector({1.5, -2, 3, 4.25, 5, 6}, {2, 3}, dtype);
    Tensor y = parse_npy(serialize_npy(x), "mem");
    CHECK(y.dtype() == dtype);
    CHECK(y.shape() == Shape{2, 3});
    CHECK(y.to_vector() == x.to_vector());
  }
  Tensor s = parse_npy(serialize_npy(Tensor::scalar(7, DType::Float64)), "mem");
  CHECK(s.shape().empty());
  CHECK(s.item() == 7);
}

TEST_CASE("npy reads a PyTorch golden file, including int64 indices") {
  const std::string dir = std::string(CONVGRAD_FIXTURES_DIR) + "/golden/maxpool_k2_s2_cw/";
  Tensor indices = read_npy(dir + "output_indices.npy");
  CHECK(indices.shape() == Shape{2, 3, 5, 5});
  CHECK(indices.dtype() == DType::Float64);
  for (double v : indices.to_vector()) CHECK((v >= 0 && v < 100 && v == static_cast<int64_t>(v)));
}

TEST_CASE("malformed npy files are clear errors") {
  const std::string good = serialize_npy(Tensor::ones({2, 2}, DType::Float64));
  auto with_header = [&](const std::string& from, const std::string& to) {
    std::string bytes = good;
    const size_t at = bytes.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(from.size() >= to.size());
    bytes.replace(at, from.size(), to + std::string(from.size() - to.size(), ' '));  // keep the header length
    return bytes;
  };
  REQUIRE_THROWS_WITH(parse_npy("", "a.npy"), Catch::Contains("a.npy: expected a .npy file"));
  REQUIRE_THROWS_WITH(parse_npy(good.substr(0, good.size() - 3), "a.npy"),
                      Catch::Contains("needs 32 data bytes, but the file has 29"));
  REQUIRE_THROWS_WITH(parse_npy(good.substr(0, 40), "a.npy"), Catch::Contains("a.npy: truncated .npy file"));
  REQUIRE_THROWS_WITH(parse_npy(with_header("<f8", ">f8"), "a.npy"), Catch::Contains("but got '>f8'"));
  REQUIRE_THROWS_WITH(parse_npy(with_header("<f8", "|u1"), "a.npy"), Catch::Contains("but got '|u1'"));
  REQUIRE_THROWS_WITH(parse_npy(with_header("False", "True "), "a.npy"), Catch::Contains("expected C order"));
  REQUIRE_THROWS_WITH(parse_npy(with_header("(2, 2)", "(9, 9)"), "a.npy"), Catch::Contains("shape [9, 9]"));
  // An absurd shape must not overflow or allocate: the header is rebuilt with its padding.
  std::string absurd = with_header("'shape': (2, 2), }" + std::string(25, ' '), "'shape': (99999999999, 99999999999), }");
  REQUIRE_THROWS_WITH(parse_npy(absurd, "a.npy"), Catch::Contains("needs more data"));
}

TEST_CASE("write_file_atomically leaves the old file when the directory is missing") {
  REQUIRE_THROWS_WITH(write_file_atomically("/nonexistent-dir/x.npy", "abc"),
                      Catch::Contains("/nonexistent-dir/x.npy: cannot write file"));
}

// The fast paths of tensor/conv_kernels.cpp against the plain loops they replace:
// im2col / col2im (the shifted copies of stride-1 "same" convolutions, and the row-by-row
// general path) against im2col_reference / col2im_reference, bit for bit; max pooling's
// no-padding path against a plain window loop, ties and NaN included.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>

#include "tensor/conv_kernels.h"
#include "tensor/random.h"

using namespace convgrad;

namespace {

template <typename T>
bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.numel() == b.numel() && std::memcmp(a.data<T>(), b.data<T>(), a.numel() * sizeof(T)) == 0;
}

}  // namespace

TEST_CASE("im2col and col2im equal their plain definitions, bit for bit") {
  using Row = std::tuple<Pair, Pair, Pair, Pair, Pair>;  // stride, padding, dilation, kernel, input H x W
  const auto [stride, padding, dilation, kernel, size] = GENERATE(table<Pair, Pair, Pair, Pair, Pair>({
      Row{{1, 1}, {1, 1}, {1, 1}, {3, 3}, {10, 10}},  // the coursework's 3x3 "same" layers (fast path)
      Row{{1, 1}, {1, 1}, {1, 1}, {3, 3}, {5, 5}},
      Row{{1, 1}, {0, 0}, {1, 1}, {1, 1}, {10, 10}},  // 1x1 (fast path, no shift)
      Row{{1, 1}, {2, 2}, {1, 1}, {5, 5}, {6, 7}},    // fast path, two wrapping columns
      Row{{1, 1}, {2, 2}, {2, 2}, {3, 3}, {4, 9}},    // fast path, dilated
      Row{{1, 1}, {0, 1}, {1, 1}, {3, 3}, {7, 8}},    // fast path with H_out = H - 2
      Row{{1, 1}, {1, 2}, {1, 1}, {3, 5}, {1, 3}},    // one-row image
      Row{{1, 1}, {0, 0}, {1, 1}, {3, 3}, {6, 6}},    // stride 1 but narrower output: general path
      Row{{2, 2}, {1, 1}, {1, 1}, {3, 3}, {10, 10}},  // general path
      Row{{2, 2}, {1, 1}, {1, 1}, {4, 4}, {28, 28}},
      Row{{3, 2}, {2, 2}, {2, 1}, {3, 5}, {9, 7}},
  }));
  const DType dtype = GENERATE(DType::Float64, DType::Float32);
  CAPTURE(stride, padding, dilation, kernel, size, dtype_name(dtype));
  const int64_t N = 3, C = 2;
  const ConvGeometry g = conv2d_geometry({N, C, size[0], size[1]}, {1, C, kernel[0], kernel[1]}, stride, padding,
                                         dilation);
  Generator gen(7);
  const Tensor x = uniform({N, C, size[0], size[1]}, -1.0, 1.0, gen, dtype);
  const Tensor u = uniform({g.col_rows(), g.col_cols()}, -1.0, 1.0, gen, dtype);
  Tensor cols = Tensor::full(u.shape(), 99.0, dtype), cols_ref = Tensor::full(u.shape(), -99.0, dtype);
  Tensor image = Tensor::full(x.shape(), 99.0, dtype), image_ref = Tensor::full(x.shape(), -99.0, dtype);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    im2col<T>(x.data<T>(), g, cols.data<T>());
    im2col_reference<T>(x.data<T>(), g, cols_ref.data<T>());
    CHECK(bit_identical<T>(cols, cols_ref));
    col2im<T>(u.data<T>(), g, image.data<T>());
    col2im_reference<T>(u.data<T>(), g, image_ref.data<T>());
    CHECK(bit_identical<T>(image, image_ref));
  });
}

TEST_CASE("images_per_chunk keeps a chunk's columns within the budget") {
  // The U-Net's conv3 (16 -> 8, 3x3 on 10x10): 144 x 100 floats = 57.6 kB per image.
  const int64_t per = images_per_chunk(32, 144, 100, sizeof(float));
  CHECK(per == kColumnBudgetBytes / (144 * 100 * 4));
  CHECK(per * 144 * 100 * 4 <= kColumnBudgetBytes);
  CHECK(images_per_chunk(32, 72, 25, sizeof(float)) == 32);         // a whole small batch at once
  CHECK(images_per_chunk(4, 1 << 20, 1 << 10, sizeof(double)) == 1);  // never fewer than one image
  const ConvGeometry g = conv2d_geometry({10, 1, 4, 4}, {1, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1});
  const ImageChunk last = image_chunk(g, 2, 4);  // images 8 and 9
  CHECK(last.first == 8);
  CHECK(last.count == 2);
  CHECK(last.g.N == 2);
  CHECK(last.g.col_cols() == 2 * 16);
}

namespace {
// max_pool2d_forward in T on `shape` against the plain window loop: values from a small set,
// so that windows have ties, and NaN in about one input of 12.
template <typename T>
void check_max_pool_against_loop(const Shape& shape, const ConvGeometry& g) {
  Generator gen(3);
  std::vector<T> v(static_cast<size_t>(shape_numel(shape)));
  for (T& value : v) value = gen.randint(12) == 0 ? std::numeric_limits<T>::quiet_NaN() : static_cast<T>(gen.randint(4));
  const int64_t planes = shape[0] * shape[1];
  std::vector<T> out(static_cast<size_t>(planes * g.H_out * g.W_out));
  std::vector<int64_t> indices(out.size());
  max_pool2d_forward<T>(v.data(), g, out.data(), indices.data());
  for (int64_t nc = 0; nc < planes; ++nc)
    for (int64_t oh = 0; oh < g.H_out; ++oh)
      for (int64_t ow = 0; ow < g.W_out; ++ow) {
        // The first maximum in row-major window order wins; a NaN replaces anything before it.
        int64_t best = -1;
        for (int64_t kh = 0; kh < g.K_h; ++kh)
          for (int64_t kw = 0; kw < g.K_w; ++kw) {
            const int64_t h = oh * g.stride[0] + kh * g.dilation[0], w = ow * g.stride[1] + kw * g.dilation[1];
            if (h >= g.H || w >= g.W) continue;
            const T value = v[nc * g.H * g.W + h * g.W + w];
            if (best < 0 || value > v[nc * g.H * g.W + best] || std::isnan(value)) best = h * g.W + w;
          }
        const int64_t o = (nc * g.H_out + oh) * g.W_out + ow;
        CAPTURE(nc, oh, ow);
        REQUIRE(indices[o] == best);
        const T want = v[nc * g.H * g.W + best];
        REQUIRE((out[o] == want || (std::isnan(want) && std::isnan(out[o]))));
      }
}
}  // namespace

TEST_CASE("max pooling without padding equals the plain window loop, ties and NaN included") {
  using Row = std::tuple<Pair, Pair, Pair, bool>;  // kernel, stride, dilation, ceil_mode
  const auto [kernel, stride, dilation, ceil_mode] = GENERATE(table<Pair, Pair, Pair, bool>({
      Row{{2, 2}, {2, 2}, {1, 1}, false},  // the coursework's pool (four outputs at a time, then the rest)
      Row{{3, 2}, {1, 2}, {1, 1}, false},
      Row{{2, 2}, {1, 1}, {2, 2}, false},
      Row{{2, 2}, {2, 2}, {1, 1}, true},   // 7x9 in ceil mode: the last windows stick out (general path)
  }));
  // 9 and 11 wide: 4 and 5 outputs per row of the 2x2 pool; 10x10 is the coursework's plane.
  const Shape shape = GENERATE(Shape{2, 3, 7, 9}, Shape{2, 3, 10, 10}, Shape{1, 2, 8, 11}, Shape{1, 1, 4, 3});
  CAPTURE(kernel, stride, dilation, ceil_mode, shape_str(shape));
  const ConvGeometry g = max_pool2d_geometry(shape, kernel, stride, {0, 0}, dilation, ceil_mode);
  check_max_pool_against_loop<double>(shape, g);
  check_max_pool_against_loop<float>(shape, g);
}

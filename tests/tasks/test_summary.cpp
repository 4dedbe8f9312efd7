// `convgrad summary`: shapes by formula and by a forward pass, parameter counts, the
// output_padding derivation and the U-Net concat check, for all four networks.
#include <catch2/catch.hpp>

#include "tasks/summary.h"

using namespace convgrad;

namespace {

const LayerSummary& layer(const ModelSummary& s, const std::string& name) {
  for (const LayerSummary& l : s.layers) {
    if (l.name == name) return l;
  }
  FAIL("no layer " << name);
  throw;
}

bool mentions(const LayerSummary& l, const std::string& text) {
  for (const std::string& f : l.formulas) {
    if (f.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("summary: output shapes of every layer, by formula and by a forward pass, and totals") {
  using Row = std::tuple<ModelKind, std::vector<std::pair<std::string, Shape>>, int64_t, int64_t>;
  const auto [kind, shapes, total, trainable] = GENERATE(table<ModelKind, std::vector<std::pair<std::string, Shape>>,
                                                               int64_t, int64_t>({
      Row{ModelKind::Autoencoder,
          {{"conv1", {8, 10, 10}}, {"pool", {8, 5, 5}}, {"conv2", {8, 5, 5}}, {"deconv", {1, 10, 10}}},
          737, 737},  // 80 + 584 + 73
      Row{ModelKind::Regressor,
          {{"conv1", {8, 10, 10}}, {"pool", {8, 5, 5}}, {"conv2", {8, 5, 5}}, {"flatten", {200}}, {"head", {1}}},
          865, 201},  // the frozen encoder's 664 are not trainable
      Row{ModelKind::UNet,
          {{"conv1", {8, 10, 10}}, {"pool", {8, 5, 5}}, {"conv2", {16, 5, 5}}, {"up", {8, 10, 10}},
           {"cat", {16, 10, 10}}, {"conv3", {8, 10, 10}}, {"conv4", {1, 10, 10}}},
          3577, 3577},  // 80 + 1168 + 1160 + 1160 + 9
      Row{ModelKind::UNetMultitask,
          {{"conv1", {8, 10, 10}}, {"pool", {8, 5, 5}}, {"conv2", {16, 5, 5}}, {"up", {8, 10, 10}},
           {"cat", {16, 10, 10}}, {"conv3", {8, 10, 10}}, {"conv4", {1, 10, 10}}, {"flatten", {400}}, {"head", {1}}},
          3978, 3978},  // + 400 + 1
  }));
  CAPTURE(model_kind_name(kind));
  const ModelSummary s = summarize_model(kind);
  REQUIRE(s.layers.size() == shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    CAPTURE(shapes[i].first);
    CHECK(s.layers[i].name == shapes[i].first);
    CHECK(s.layers[i].output == shapes[i].second);
    CHECK(s.layers[i].forward_output == shapes[i].second);
  }
  CHECK(s.total_params == total);
  CHECK(s.trainable_params == trainable);
  const std::string text = format_summary(s);
  CHECK_THAT(text, Catch::Contains(std::to_string(total)));
  CHECK_THAT(text, Catch::Contains("H_out = W_out = floor((10 + 2·1 − 1·(3−1) − 1)/1) + 1 = 10"));
}

TEST_CASE("summary: the formulas with the numbers filled in, and output_padding = 1 derived") {
  const ModelSummary ae = summarize_model(ModelKind::Autoencoder);
  CHECK(mentions(layer(ae, "pool"), "floor((10 + 2·0 − 1·(2−1) − 1)/2) + 1 = 5"));
  CHECK(mentions(layer(ae, "conv2"), "floor((5 + 2·1 − 1·(3−1) − 1)/1) + 1 = 5"));
  const LayerSummary& deconv = layer(ae, "deconv");
  CHECK(mentions(deconv, "(5 − 1)·2 − 2·1 + 1·(3−1) + 1 + 1 = 10"));
  CHECK(mentions(deconv, "without it (5 − 1)·2 − 2·1 + 1·(3−1) + 0 + 1 = 9"));
  CHECK(mentions(deconv, "needs output_padding = 10 − 9 = 1"));
  CHECK(deconv.params_formula == "8·1·3·3 + 1 = 73");  // weight [C_in, C_out, K_h, K_w]
  CHECK(layer(ae, "conv2").params_formula == "8·8·3·3 + 8 = 584");
  const ModelSummary multitask = summarize_model(ModelKind::UNetMultitask);
  CHECK(layer(multitask, "head").params_formula == "1·400 + 1 = 401");
}

TEST_CASE("summary: the U-Net concat fits, and what would make a mismatch fit") {
  const ModelSummary unet = summarize_model(ModelKind::UNet);
  const LayerSummary& cat = layer(unet, "cat");
  CHECK(mentions(cat, "skip [8, 10, 10] and up [8, 10, 10] fit"));
  CHECK(mentions(cat, "if output_padding were 0: skip [8, 10, 10] and up [8, 9, 9] would not fit"));
  CHECK(mentions(cat, "output_padding = 10 − 9 = 1 makes them fit"));

  // A skip that no output_padding < stride reaches: a different padding does.
  const std::string by_padding = concat_fit_note({8, 8, 8}, 8, 5, 3, 2, 1, 0);
  CHECK_THAT(by_padding, Catch::Contains("would not fit") && Catch::Contains("padding = 2 with output_padding = 1"));
  CHECK_THAT(concat_fit_note({8, 30, 30}, 8, 5, 3, 2, 1, 1), Catch::Contains("crop the skip"));
}

TEST_CASE("summary: the latent shapes of Task 1.2 and their reasoning") {
  CHECK(latent_shape(ModelKind::Autoencoder) == Shape{8, 5, 5});
  CHECK(latent_shape(ModelKind::Regressor) == Shape{8, 5, 5});
  CHECK(latent_shape(ModelKind::UNetMultitask) == Shape{16, 5, 5});
  const auto lines = latent_shape_reasoning(ModelKind::Autoencoder);
  REQUIRE(lines.size() == 5);
  CHECK_THAT(lines[2], Catch::Contains("pool") && Catch::Contains("= 5 → [8, 5, 5]"));
  CHECK_THAT(lines[4], Catch::Contains("[8, 5, 5] = 8 filters × 5 × 5 = 200 values"));
}

TEST_CASE("summary: an unknown model is an error listing the known ones") {
  REQUIRE_THROWS_WITH(parse_model_kind("vae"),
                      "summary: expected autoencoder, regressor, unet or unet-multitask, but got \"vae\"");
  CHECK(parse_model_kind("unet-multitask") == ModelKind::UNetMultitask);
}

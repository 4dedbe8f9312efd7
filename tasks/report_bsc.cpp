// Report section: Task 1, BSc version (CNN autoencoder, then a regressor on its frozen encoder).
#include <cmath>

#include "tasks/report_sections.h"

namespace convgrad {

using namespace task1_report;

std::string task1_bsc_section(ReportContext& context) {
  const JsonField section = context.root["task1_bsc"];
  ReportFigures& figures = context.figures;
  const JsonField ae = section["autoencoder"];
  const JsonField reg = section["regressor"];
  std::string out = "<section id=\"task1-bsc\">\n<h2>Task 1 (BSc version): CNN autoencoder and regression</h2>\n";

  out += "<h3 id=\"task1-bsc-1-1\">Task 1.1 — CNN autoencoder</h3>\n";
  out += "<p>Each cell's 100 feature genes (Feature 1 … Feature 100, MAP7 excluded) are reshaped row by row into a "
         "10 × 10 image, as <code>numpy.reshape</code> does, without standardisation. The data are split in file "
         "order into the first 1848 cells for training, the next 264 for validation and the last 529 for testing.</p>\n";
  out += "<p>The <b>encoder</b> is Conv2d(1 → 8, 3×3, padding 1) + ReLU, MaxPool2d(2×2, stride 2), and a second, "
         "identical Conv2d(8 → 8, 3×3, padding 1) + ReLU. The <b>decoder</b> is one ConvTranspose2d(8 → 1, 3×3, "
         "stride 2, padding 1) + ReLU; its output size is (5 − 1)·2 − 2·1 + 3 + <code>output_padding</code> = 9 + "
         "<code>output_padding</code>, so <code>output_padding</code> = 1 gives the 10 × 10 reconstruction "
         "<i>x̂</i>. Training minimises</p>\n";
  out += "<p class=\"formula\">MSE<sub>reconstruct</sub> = (1/<i>N</i>) Σ<sub><i>i</i></sub> Σ<sub><i>p</i>=1…100</sub> "
         "(<i>x<sub>p</sub></i><sup>(<i>i</i>)</sup> − <i>x̂<sub>p</sub></i><sup>(<i>i</i>)</sup>)²</p>\n";
  out += "<p>with Adam (learning rate 10<sup>−3</sup>), batches of 32 and at most 100 epochs. After every epoch the "
         "loss is evaluated on the whole training and validation sets; early stopping monitors the validation loss "
         "with <code>max_patience</code> = 5 and restores the weights of the best epoch.</p>\n";
  if (ae.present()) {
    out += training_facts(ae, "MSE<sub>reconstruct</sub>");
    out += figures.place("task1_bsc_autoencoder_loss");
    out += curve_discussion(ae, figures.ref("task1_bsc_autoencoder_loss"));
    out += html_facts({{"test MSE<sub>reconstruct</sub> (529 cells)", fmt(number_or_nan(ae["test_mse_reconstruct"]), 4)}});
    if (ae["per_feature_test_mse"].present()) {
      const std::vector<double> mse = require_numbers(ae["per_feature_test_mse"], 100);
      out += "<p>The per-feature test error MSE<sup><i>p</i></sup><sub>reconstruct</sub> = (1/<i>N</i><sub>test</sub>) "
             "Σ<sub><i>i</i></sub> (<i>x<sub>p</sub></i><sup>(<i>i</i>)</sup> − <i>x̂<sub>p</sub></i><sup>(<i>i</i>)"
             "</sup>)², shown at each gene's place in the 10 × 10 image (hover over a cell for the gene):</p>\n";
      out += figures.place("task1_bsc_per_feature_mse");
      out += per_feature_discussion(context, mse, false);
      out += "<p class=\"note\">The same numbers by gene (cell colour as in the heatmap):</p>\n";
      out += per_feature_table(context, mse);
    }
  } else {
    out += "<p class=\"note\">This run has no autoencoder results.</p>\n";
  }

  out += "<h3 id=\"task1-bsc-1-2\">Task 1.2 — Re-purposing the encoder's output for regression</h3>\n";
  out += latent_shape_reasoning(section["latent_shape"], false);
  if (section["latent_scatter"].present()) {
    out += figures.place("task1_bsc_latent_scatter");
    out += latent_scatter_discussion(section["latent_scatter"], figures.ref("task1_bsc_latent_scatter"), false);
  }
  if (reg.present()) {
    out += "<p>The <b>regressor</b> flattens the encoder's 8 × 5 × 5 output to 200 numbers and feeds them to one "
           "linear layer with a single output, the predicted MAP7 (200 weights + 1 bias). The encoder is frozen: "
           "only the linear layer is trained, with Adam (learning rate 10<sup>−3</sup>), batches of 32, at most "
           "1000 epochs, minimising MSE<sub>regress</sub> = (1/<i>N</i>) Σ (<i>y</i><sup>(<i>i</i>)</sup> − "
           "<i>ŷ</i><sup>(<i>i</i>)</sup>)², with early stopping on the validation MSE<sub>regress</sub> "
           "(<code>max_patience</code> = 10).</p>\n";
    out += training_facts(reg, "MSE<sub>regress</sub>");
    if (reg["encoder_unchanged"].present()) {
      const bool unchanged = reg["encoder_unchanged"].value->is_boolean() && reg["encoder_unchanged"].value->get<bool>();
      out += std::string("<p class=\"note\">Frozen-encoder check: the encoder's weights after training the regressor ") +
             (unchanged ? "are bit-for-bit identical to those before." : "<b>differ</b> from those before.") + "</p>\n";
    }
    out += figures.place("task1_bsc_regressor_loss");
    out += curve_discussion(reg, figures.ref("task1_bsc_regressor_loss"));
    const double r2 = number_or_nan(reg["test_r2"]);
    const double test_mse = number_or_nan(reg["test_mse"]);
    out += html_facts({{"test MSE<sub>regress</sub>", fmt(test_mse, 4)}, {"test <i>R</i>²", fmt_fixed(r2, 3)}});
    out += figures.place("task1_bsc_predicted_vs_true");
    out += prediction_discussion(reg["test_predictions"], r2, test_mse, figures.ref("task1_bsc_predicted_vs_true"));
    out += "<p>The regressor is linear in a representation that was learned for reconstruction, not for MAP7, and the "
           "encoder cannot adapt to the new task. The result therefore measures how much MAP7 information the "
           "autoencoder kept by chance; training the encoder together with the regression head (the multi-task "
           "approach of the MSc version) or a non-linear head would be expected to do better.</p>\n";
  }
  return out + "</section>\n";
}

}  // namespace convgrad

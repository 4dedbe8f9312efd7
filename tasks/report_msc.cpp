// Report section: Task 1, MSc version (U-Net, then multi-task learning with an alpha search).
#include <algorithm>
#include <cmath>

#include "tasks/report_sections.h"

namespace convgrad {

using namespace task1_report;

namespace {

std::string unet_part(ReportContext& context, const JsonField& section) {
  ReportFigures& figures = context.figures;
  const JsonField unet = section["unet"];
  std::string out = "<h3 id=\"task1-msc-1-1\">Task 1.1 — U-Net CNN architecture</h3>\n";
  out += "<p>Each cell's 100 feature genes are reshaped row by row into a 10 × 10 image (no standardisation) and the "
         "data split in file order into 1848 training, 264 validation and 529 test cells.</p>\n";
  out += "<p>The <b>contracting path</b> is Conv2d(1 → 8, 3×3, padding 1) + ReLU, MaxPool2d(2×2, stride 2) and "
         "Conv2d(8 → 16, 3×3, padding 1) + ReLU, whose output is the lower-dimensional representation. The "
         "<b>expanding path</b> up-samples it with ConvTranspose2d(16 → 8, 3×3, stride 2, padding 1) + ReLU, the "
         "'up-convolution'; its size is (5 − 1)·2 − 2 + 3 + <code>output_padding</code>, so "
         "<code>output_padding</code> = 1 gives 8 × 10 × 10. The <b>skip connection</b> concatenates the input of the "
         "max-pooling (8 × 10 × 10, first) with the up-convolution's output along the channels (dim = 1), giving "
         "16 × 10 × 10; Conv2d(16 → 8, 3×3, padding 1) + ReLU and a final Conv2d(8 → 1, 1×1) produce <i>x̂</i>. As in "
         "the original U-Net, the skip connection hands the expanding path the fine detail that pooling threw away.</p>\n";
  out += "<p>Training minimises MSE<sub>reconstruct</sub> (the sum over the 100 pixels of the squared error, averaged "
         "over cells) with Adam (learning rate 10<sup>−3</sup>), batches of 32, at most 100 epochs, and early stopping "
         "on the validation MSE<sub>reconstruct</sub> with <code>max_patience</code> = 5 (best weights restored).</p>\n";
  if (!unet.present()) return out + "<p class=\"note\">This run has no U-Net results.</p>\n";
  out += training_facts(unet, "MSE<sub>reconstruct</sub>");
  out += figures.place("task1_msc_unet_loss");
  out += curve_discussion(unet, figures.ref("task1_msc_unet_loss"));
  out += html_facts({{"test MSE<sub>reconstruct</sub> (529 cells)", fmt(number_or_nan(unet["test_mse_reconstruct"]), 4)}});
  if (unet["per_feature_test_mse"].present()) {
    const std::vector<double> mse = require_numbers(unet["per_feature_test_mse"], 100);
    out += "<p>The per-feature test error MSE<sup><i>p</i></sup><sub>reconstruct</sub>, at each gene's place in the "
           "10 × 10 image (hover over a cell for the gene):</p>\n";
    out += figures.place("task1_msc_per_feature_mse");
    out += per_feature_discussion(context, mse, true);
    out += "<p class=\"note\">The same numbers by gene (cell colour as in the heatmap):</p>\n";
    out += per_feature_table(context, mse);
  }
  out += "<h4>The lower-dimensional representation</h4>\n";
  out += latent_shape_reasoning(section["latent_shape"], true);
  if (section["latent_scatter"].present()) {
    out += figures.place("task1_msc_latent_scatter");
    out += latent_scatter_discussion(section["latent_scatter"], figures.ref("task1_msc_latent_scatter"), true);
  }
  return out;
}

std::string alpha_table(const JsonField& multi) {
  const JsonField search = multi["alpha_search"];
  if (!search.present() || !search.value->is_array()) return "";
  const double best_alpha = number_or_nan(multi["best_alpha"]);
  std::string out = "<table class=\"numbers\"><thead><tr><th>α</th><th>best epoch</th><th>epochs run</th>"
                    "<th>validation MSE<sub>regress</sub></th><th>validation <i>L</i><sub>multi</sub></th>"
                    "<th>validation MSE<sub>reconstruct</sub></th></tr></thead><tbody>\n";
  for (size_t k = 0; k < search.value->size(); ++k) {
    const JsonField entry{&(*search.value)[k], search.where + "[" + std::to_string(k) + "]"};
    const double alpha = require_number(entry["alpha"]);
    const double best = number_or_nan(entry["best_epoch"]);
    double l_multi = NAN;
    if (entry["val_curve"].present() && best >= 1) {
      const std::vector<double> curve = require_numbers(entry["val_curve"]);
      if (static_cast<size_t>(best) <= curve.size()) l_multi = curve[static_cast<size_t>(best) - 1];
    }
    const double regress = number_or_nan(entry["val_mse_regress"]);
    // L_multi = MSE_regress + alpha MSE_reconstruct, so the reconstruction term follows.
    const double reconstruct = (l_multi - regress) / alpha;
    out += std::string(alpha == best_alpha ? "<tr class=\"chosen\">" : "<tr>") + "<td>" + fmt(alpha, 3) +
           (alpha == best_alpha ? " (chosen)" : "") + "</td><td>" + fmt_int(best) + "</td><td>" +
           fmt_int(number_or_nan(entry["epochs_run"])) + "</td><td>" + fmt(regress, 4) + "</td><td>" +
           fmt(l_multi, 4) + "</td><td>" + fmt(reconstruct, 4) + "</td></tr>\n";
  }
  return out + "</tbody></table>\n<p class=\"note\">Values at each α's best epoch (the weights early stopping "
               "restored); MSE<sub>reconstruct</sub> = (<i>L</i><sub>multi</sub> − MSE<sub>regress</sub>)/α.</p>\n";
}

std::string multitask_part(ReportContext& context, const JsonField& section) {
  ReportFigures& figures = context.figures;
  const JsonField multi = section["multitask"];
  std::string out = "<h3 id=\"task1-msc-1-2\">Task 1.2 — Multi-task learning</h3>\n";
  out += "<p>A flatten layer and a linear layer (400 → 1) are attached to the last layer of the contracting path, so "
         "the same 16 × 5 × 5 representation feeds both the expanding path (reconstruction) and a regression head "
         "that predicts MAP7. The whole network is trained on</p>\n";
  out += "<p class=\"formula\"><i>L</i><sub>multi</sub> = MSE<sub>regress</sub> + α · MSE<sub>reconstruct</sub></p>\n";
  out += "<p><b>Interpretation.</b> Regression is the main task and reconstruction an auxiliary one. The shared "
         "contracting path must keep the information needed to rebuild all 100 genes, not only whatever predicts "
         "MAP7 on the 1848 training cells; that acts as a regulariser against overfitting the regression, and the "
         "regression in turn shapes the representation towards MAP7 (unlike Task 1.2 of the BSc version, where the "
         "encoder is frozen). α sets the balance: α → 0 is plain regression through the U-Net's encoder, a large α "
         "makes the network mostly an autoencoder. Because MSE<sub>reconstruct</sub> sums 100 squared errors, it is "
         "on a larger scale than MSE<sub>regress</sub>, which α also compensates for.</p>\n";
  out += "<p>Each α in {0.1, 1, 10} is trained from a fresh initialisation with Adam (learning rate 10<sup>−3</sup>), "
         "batches of 32, at most 1000 epochs and early stopping on the validation <i>L</i><sub>multi</sub> "
         "(<code>max_patience</code> = 10). α is then chosen by the validation MSE<sub>regress</sub> of the restored "
         "weights — the regression error, not <i>L</i><sub>multi</sub>, which is not comparable across α. The final "
         "network is retrained from a fresh initialisation on the training set with the chosen α for the number of "
         "epochs early stopping found.</p>\n";
  if (!multi.present()) return out + "<p class=\"note\">This run has no multi-task results.</p>\n";
  out += alpha_table(multi);
  out += figures.place("task1_msc_alpha_search");
  const double best_alpha = number_or_nan(multi["best_alpha"]);
  out += "<p>The chosen value is <b>α = " + fmt(best_alpha, 3) + "</b>";
  double smallest = INFINITY;
  const JsonField search = multi["alpha_search"];
  for (const nlohmann::json& entry : search.present() ? *search.value : nlohmann::json::array())
    if (entry.is_object() && entry.contains("alpha") && entry["alpha"].is_number())
      smallest = std::min(smallest, entry["alpha"].get<double>());
  out += best_alpha <= smallest ? ", the smallest tried: the regression did best with reconstruction as a light "
                                  "constraint, yet the auxiliary term still shapes the shared representation. "
                                : ", not the smallest tried: a stronger reconstruction term helped the regression "
                                  "generalise to the validation cells, the regularising effect described above. ";
  out += "The retraining ran for <b>" + fmt_int(number_or_nan(multi["retrain_epochs"])) + " epochs</b>.</p>\n";
  out += figures.place("task1_msc_multitask_loss");
  const double r2 = number_or_nan(multi["test_r2"]);
  const double test_mse = number_or_nan(multi["test_mse_regress"]);
  out += html_facts({{"chosen α", fmt(best_alpha, 3)},
                     {"retraining epochs", fmt_int(number_or_nan(multi["retrain_epochs"]))},
                     {"test MSE<sub>regress</sub>", fmt(test_mse, 4)},
                     {"test <i>R</i>²", fmt_fixed(r2, 3)},
                     {"test MSE<sub>reconstruct</sub>", fmt(number_or_nan(multi["test_mse_reconstruct"]), 4)}});
  out += figures.place("task1_msc_predicted_vs_true");
  out += prediction_discussion(multi["test_predictions"], r2, test_mse, figures.ref("task1_msc_predicted_vs_true"));
  const double bsc_r2 = number_or_nan(context.root["task1_bsc"]["regressor"]["test_r2"]);
  if (std::isfinite(bsc_r2) && std::isfinite(r2)) {
    out += "<p>For comparison, the BSc version's linear regressor on a frozen autoencoder reached <i>R</i>² = " +
           fmt_fixed(bsc_r2, 3) + " on the same test cells; training the representation for both tasks " +
           (r2 > bsc_r2 ? "improves" : "does not improve") + " on that (" + fmt_fixed(r2, 3) + ").</p>\n";
  }
  const double unet_mse = number_or_nan(section["unet"]["test_mse_reconstruct"]);
  const double multi_mse = number_or_nan(multi["test_mse_reconstruct"]);
  if (std::isfinite(unet_mse) && std::isfinite(multi_mse)) {
    out += "<p>The multi-task network still reconstructs the genes, with test MSE<sub>reconstruct</sub> " +
           fmt(multi_mse, 4) + " against " + fmt(unet_mse, 4) + " for the U-Net trained on reconstruction alone (1.1): " +
           (multi_mse > unet_mse ? "sharing the representation with the regression costs some reconstruction quality"
                                 : "sharing the representation with the regression did not hurt reconstruction") +
           ".</p>\n";
  }
  return out;
}

}  // namespace

std::string task1_msc_section(ReportContext& context) {
  const JsonField section = context.root["task1_msc"];
  std::string out = "<section id=\"task1-msc\">\n<h2>Task 1 (MSc version): U-Net and multi-task learning</h2>\n";
  out += unet_part(context, section);
  out += multitask_part(context, section);
  return out + "</section>\n";
}

}  // namespace convgrad

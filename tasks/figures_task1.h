// The figures of Task 1 (either variant), as FigureSpecs built from results.json.
//
//   task1_V_autoencoder_loss | task1_V_unet_loss   MSE_reconstruct per epoch, train and validation,
//                                                  best (restored) and early-stopping epochs marked
//   task1_V_per_feature_mse                        10x10 heatmap of the test MSE of each pixel/gene
//   task1_V_latent_scatter                         latent element [1,0,1] vs [0,0,0], coloured by MAP7
//   task1_bsc_regressor_loss                       MSE_regress per epoch (encoder frozen)
//   task1_msc_alpha_search                         validation L_multi and MSE_regress per epoch, each alpha
//   task1_msc_multitask_loss                       L_multi per epoch for the chosen alpha, and the retrain
//   task1_V_predicted_vs_true                      predicted vs true MAP7 on the test set, y = x, R^2
//
// V is bsc or msc. A figure whose data is absent from results.json is left out.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/figure_writer.h"
#include "tasks/report_json.h"

namespace convgrad {

// The figures of results["task1_<variant>"], in the order the report shows them; empty when
// that section is absent.
std::vector<FigureSpec> task1_figures(const nlohmann::json& results, const std::string& variant);

// The pieces, for one training phase (keys epochs_run, best_epoch, train_curve, val_curve,
// and max_patience when present). `loss` is the enhanced-text name of the loss, e.g. MSE_{regress}.
FigureSpec loss_curve_figure(const std::string& name, const std::string& title, const std::string& loss,
                             const std::string& loss_unit, const JsonField& phase);
FigureSpec alpha_search_figure(const std::string& name, const JsonField& multitask);
FigureSpec multitask_loss_figure(const std::string& name, const JsonField& multitask);
FigureSpec per_feature_mse_figure(const std::string& name, const std::string& model,
                                  const std::vector<double>& mse, const std::vector<std::string>& feature_names);
FigureSpec latent_scatter_figure(const std::string& name, const std::string& model, const JsonField& scatter);
FigureSpec predicted_vs_true_figure(const std::string& name, const std::string& model,
                                    const JsonField& predictions, double r2);

// Shared styling: colour-blind-safe colours (Okabe & Ito) and a 10-step viridis palette.
namespace figure_style {
extern const std::string kBlue;
extern const std::string kOrange;
extern const std::string kVermillion;
extern const std::string kGreen;
extern const std::string kPurple;
extern const std::string kSky;
extern const std::string kViridisPalette;  // a `set palette defined (...)` line
// `set logscale y` when the positive values span more than a factor 20, else "".
std::string log_y_if_wide(const std::vector<double>& values);
}  // namespace figure_style

}  // namespace convgrad

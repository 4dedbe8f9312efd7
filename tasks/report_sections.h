// The sections of report.html, one writer per coursework part, and the Task 1 pieces that
// both variants share. Each returns HTML; each reads only what results.json has and says
// "n/a" for a missing number. Internal to the report (report.h is the public entry).
#pragma once

#include <string>

#include "tasks/report_html.h"

namespace convgrad {

std::string task1_bsc_section(ReportContext& context);  // Task 1.1 + 1.2, BSc
std::string task1_msc_section(ReportContext& context);  // Task 1.1 + 1.2, MSc
std::string task2_section(ReportContext& context);      // Task 2.1 + 2.2

// Shared Task 1 pieces (report_task1.cpp).
namespace task1_report {
// Epochs, best epoch, patience and the losses at the best epoch of one training phase.
std::string training_facts(const JsonField& phase, const std::string& loss_html, bool has_validation = true);
// Discussion of the per-feature heatmap, and the gene table that doubles as its legend.
std::string per_feature_discussion(const ReportContext& context, const std::vector<double>& mse, bool unet);
std::string per_feature_table(const ReportContext& context, const std::vector<double>& mse);
// What the loss curves of one phase show: how far the loss fell, the train/validation gap.
std::string curve_discussion(const JsonField& phase, const std::string& figure_ref);
// The encoder output's shape, step by step from the 1x10x10 input.
std::string latent_shape_reasoning(const JsonField& latent_shape, bool unet);
// What the latent scatter shows: correlation of each element with MAP7, zeros from the ReLU.
std::string latent_scatter_discussion(const JsonField& scatter, const std::string& figure_ref, bool unet);
// R^2 explained, test MSE against predicting the mean, shrinkage towards the mean.
std::string prediction_discussion(const JsonField& predictions, double r2, double test_mse,
                                  const std::string& figure_ref);
}  // namespace task1_report

}  // namespace convgrad

// Building blocks of report.html: escaping, number formatting, tables, and figures inlined
// from OUT/figures/NAME.svg (ids made unique per figure, so that several gnuplot SVGs can
// live in one page). Used by report.cpp and the report_task*.cpp section writers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/report_json.h"

namespace convgrad {

std::string html_escape(const std::string& text);
// `digits` significant digits ("%.*g"); "n/a" for NaN.
std::string fmt(double value, int digits = 4);
// `decimals` digits after the point; "n/a" for NaN.
std::string fmt_fixed(double value, int decimals);
// An integer-valued number ("n/a" for NaN).
std::string fmt_int(double value);

// <table> with a header row; cells are HTML already.
std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       const std::string& css_class = "numbers");
// A two-column table of (label, value) rows; both HTML already.
std::string html_facts(const std::vector<std::pair<std::string, std::string>>& rows);

// HTML for text with gnuplot enhanced-text sub/superscripts: "MSE_{regress}" -> MSE<sub>regress</sub>.
std::string markup_html(const std::string& text);

// The same text without markup: "MSE_{regress}" -> "MSE regress".
std::string markup_plain(const std::string& text);

// The viridis colour at t in [0, 1] as "#rrggbb", and whether black text reads on it.
std::string viridis_hex(double t);
bool viridis_is_light(double t);

// A gnuplot SVG prepared for inlining: XML prolog removed, ids and references prefixed by
// `prefix`, the root <title> replaced by `title`.
std::string inline_svg(const std::string& svg, const std::string& prefix, const std::string& title);

// The figures of one report: numbered in the order they are placed.
class ReportFigures {
 public:
  // `captions`: figure name -> caption (the figures results.json has data for).
  ReportFigures(std::string figures_dir, std::map<std::string, std::string> captions);

  bool has(const std::string& name) const { return captions_.count(name) > 0; }
  // <figure id="fig-NAME"> with the inlined SVG (or a note saying how to draw it) and a
  // numbered caption; "" when results.json has no data for NAME.
  std::string place(const std::string& name);
  // "Figure k" for a figure already placed, else "the figure below".
  std::string ref(const std::string& name) const;
  const std::vector<std::string>& placed() const { return placed_; }

 private:
  std::string figures_dir_;
  std::map<std::string, std::string> captions_;
  std::vector<std::string> placed_;
};

// Everything the section writers need.
struct ReportContext {
  const nlohmann::json& results;
  JsonField root;
  std::vector<std::string> feature_names;  // may be empty
  ReportFigures figures;
};

// The report's stylesheet (screen and print).
extern const char* const kReportCss;

}  // namespace convgrad

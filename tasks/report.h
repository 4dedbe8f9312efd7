// report.html: the coursework write-up a student would hand in, made from results.json.
//
//   render_figures(results, out);   // figures.h: out/figures/*.svg (first)
//   write_report(results, out);     // out/report.html
//
// One self-contained HTML file: the SVG figures inlined, the stylesheet embedded, no
// scripts, no network. Sections follow the coursework (Task 1.1 and 1.2 for each Task 1
// variant in results.json, Task 2.1 and 2.2), each with what was computed in plain words,
// the numbers, the figures and a discussion computed from the numbers; then the run's
// metadata (dataset, seed, dtype, threads, timings). Printable: figures never split across
// pages. A section absent from results.json is left out; a figure whose SVG is missing
// (gnuplot not installed) is replaced by a note saying how to draw it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace convgrad {

// The whole page, reading the SVGs from OUT/figures.
std::string report_html(const nlohmann::json& results, const std::string& out_dir);

// Writes OUT/report.html atomically (the page is built in memory first, then written to a
// temporary file and renamed): a reader sees the old report or the new one, never half of
// one. Throws convgrad::Error naming the file on failure.
void write_report(const nlohmann::json& results, const std::string& out_dir);

}  // namespace convgrad

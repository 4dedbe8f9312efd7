#include "tasks/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include "tensor/atomic_file.h"
#include "tensor/error.h"

namespace convgrad {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fmt(double value, int digits) {
  if (!std::isfinite(value)) return std::isnan(value) ? "n/a" : (value > 0 ? "∞" : "−∞");
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*g", digits, value);
  std::string out = buffer;
  if (out.find('e') == std::string::npos && value < 0) out.replace(0, 1, "−");
  return out;
}

std::string fmt_fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  std::string out = buffer;
  if (value < 0 && out[0] == '-') out.replace(0, 1, "−");
  return out;
}

std::string fmt_int(double value) {
  if (!std::isfinite(value)) return "n/a";
  return std::to_string(std::llround(value));
}

std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       const std::string& css_class) {
  std::string out = "<table class=\"" + css_class + "\"><thead><tr>";
  for (const std::string& cell : header) out += "<th>" + cell + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const std::string& cell : row) out += "<td>" + cell + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string html_facts(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string out = "<table class=\"facts\"><tbody>\n";
  for (const auto& [label, value] : rows) out += "<tr><th>" + label + "</th><td>" + value + "</td></tr>\n";
  return out + "</tbody></table>\n";
}

namespace {

// The ten stops of the figures' palette (figure_style::kViridisPalette).
const unsigned kViridis[10] = {0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E,
                               0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725};

// Inserts `prefix` after every occurrence of `marker` (for which `accept` holds).
template <typename Accept>
std::string insert_after(const std::string& text, const std::string& marker, const std::string& prefix,
                         Accept accept) {
  std::string out;
  out.reserve(text.size() + 1024);
  size_t pos = 0;
  for (size_t found = text.find(marker); found != std::string::npos; found = text.find(marker, found + 1)) {
    if (!accept(found)) continue;
    out.append(text, pos, found + marker.size() - pos);
    out += prefix;
    pos = found + marker.size();
  }
  out.append(text, pos, std::string::npos);
  return out;
}

// gnuplot repeats a plot's group id when it redraws an opaque key; ids must be unique in a
// page, so later copies get a suffix (nothing refers to these group ids).
std::string renumber_repeated_ids(const std::string& svg) {
  std::set<std::string> seen;
  std::string out;
  size_t pos = 0;
  for (size_t at = svg.find("id=", pos); at != std::string::npos; at = svg.find("id=", at + 3)) {
    if (at == 0 || !std::isspace(static_cast<unsigned char>(svg[at - 1])) || at + 3 >= svg.size()) continue;
    const char quote = svg[at + 3];
    if (quote != '\'' && quote != '"') continue;
    const size_t end = svg.find(quote, at + 4);
    if (end == std::string::npos) break;
    const std::string id = svg.substr(at + 4, end - at - 4);
    out.append(svg, pos, end - pos);
    if (!seen.insert(id).second) {
      int copy = 2;
      while (seen.count(id + "-" + std::to_string(copy))) ++copy;
      seen.insert(id + "-" + std::to_string(copy));
      out += "-" + std::to_string(copy);
    }
    pos = end;
  }
  out.append(svg, pos, std::string::npos);
  return out;
}

}  // namespace

std::string viridis_hex(double t) {
  t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0;
  const double x = t * 9.0;
  const int i = std::min(8, static_cast<int>(x));
  const double f = x - i;
  char buffer[8];
  int rgb[3];
  for (int c = 0; c < 3; ++c) {
    const int shift = 16 - 8 * c;
    const double a = (kViridis[i] >> shift) & 0xFF, b = (kViridis[i + 1] >> shift) & 0xFF;
    rgb[c] = static_cast<int>(std::lround(a + f * (b - a)));
  }
  std::snprintf(buffer, sizeof(buffer), "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return buffer;
}

bool viridis_is_light(double t) { return std::isfinite(t) && t > 0.62; }

std::string inline_svg(const std::string& svg, const std::string& prefix, const std::string& title) {
  const size_t start = svg.find("<svg");
  CONVGRAD_CHECK(start != std::string::npos, "report: expected an SVG figure, but found no <svg> element");
  std::string out = svg.substr(start);
  auto after_space = [&out](size_t at) { return at > 0 && std::isspace(static_cast<unsigned char>(out[at - 1])); };
  auto always = [](size_t) { return true; };
  out = insert_after(out, "id='", prefix, after_space);
  out = insert_after(out, "id=\"", prefix, after_space);
  out = insert_after(out, "href='#", prefix, always);
  out = insert_after(out, "href=\"#", prefix, always);
  out = insert_after(out, "url(#", prefix, always);
  out = renumber_repeated_ids(out);
  const std::string root_title = "<title>Gnuplot</title>";
  const size_t at = out.find(root_title);
  if (at != std::string::npos) out.replace(at, root_title.size(), "<title>" + html_escape(title) + "</title>");
  return out;
}

std::string markup_html(const std::string& text) {
  // gnuplot's enhanced-text X_{sub} and X^{sup}, the only markup captions use.
  const std::string escaped = html_escape(text);
  std::string out;
  for (size_t i = 0; i < escaped.size(); ++i) {
    const char c = escaped[i];
    const size_t close = escaped.find('}', i);
    if ((c == '_' || c == '^') && i + 1 < escaped.size() && escaped[i + 1] == '{' && close != std::string::npos) {
      const char* tag = c == '_' ? "sub" : "sup";
      out += std::string("<") + tag + ">" + escaped.substr(i + 2, close - i - 2) + "</" + tag + ">";
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

std::string markup_plain(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((text[i] == '_' || text[i] == '^') && i + 1 < text.size() && text[i + 1] == '{') {
      out += text[i] == '_' ? ' ' : '^';
      ++i;
    } else if (text[i] != '}') {
      out += text[i];
    }
  }
  return out;
}

ReportFigures::ReportFigures(std::string figures_dir, std::map<std::string, std::string> captions)
    : figures_dir_(std::move(figures_dir)), captions_(std::move(captions)) {}

std::string ReportFigures::place(const std::string& name) {
  const auto found = captions_.find(name);
  if (found == captions_.end()) return "";
  placed_.push_back(name);
  const std::string number = std::to_string(placed_.size());
  const std::string path = figures_dir_ + "/" + name + ".svg";
  std::string body;
  if (std::filesystem::exists(path)) {
    body = "<div class=\"svg\">" + inline_svg(read_file(path), "f" + number + "-", markup_plain(found->second)) + "</div>";
  } else {
    body = "<p class=\"missing\">This figure was not drawn: gnuplot was not found when the report was made. Its "
           "data and script are in <code>figures/" + html_escape(name) + ".gp</code>; install gnuplot "
           "(<code>apt-get install gnuplot-nox</code>) and run <code>gnuplot " + html_escape(name) +
           ".gp</code> in that folder, or rerun convgrad.</p>";
  }
  return "<figure id=\"fig-" + html_escape(name) + "\">" + body + "<figcaption><b>Figure " + number + ".</b> " +
         markup_html(found->second) + " <span class=\"files\">(figures/" + html_escape(name) +
         ".svg, .gp)</span></figcaption></figure>\n";
}

std::string ReportFigures::ref(const std::string& name) const {
  for (size_t i = 0; i < placed_.size(); ++i)
    if (placed_[i] == name) return "Figure " + std::to_string(i + 1);
  return "the figure below";
}

const char* const kReportCss = R"css(
:root { --ink: #1d2330; --muted: #5b6473; --rule: #d9dde3; --accent: #0b5cad; --soft: #f4f6f9; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f5; color: var(--ink);
       font: 16px/1.55 "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; }
main { max-width: 980px; margin: 24px auto; background: white; padding: 36px 52px 48px;
       box-shadow: 0 1px 4px rgba(0,0,0,.12); }
h1 { font-size: 1.75em; line-height: 1.25; margin: 0 0 .2em; }
h2 { font-size: 1.4em; margin: 2em 0 .5em; padding-bottom: .25em; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.15em; margin: 1.6em 0 .4em; color: var(--accent); }
p, li { max-width: 46em; }
.subtitle { color: var(--muted); margin: 0 0 1.2em; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em; background: var(--soft);
       padding: 0 .25em; border-radius: 3px; }
nav.toc { background: var(--soft); border: 1px solid var(--rule); padding: .6em 1.2em; margin: 1em 0 1.5em; }
nav.toc ul { margin: .2em 0; padding-left: 1.2em; }
figure { margin: 1.4em 0; padding: 10px 10px 6px; border: 1px solid var(--rule); border-radius: 4px;
         break-inside: avoid; page-break-inside: avoid; text-align: center; }
figure .svg svg { display: block; margin: 0 auto; max-width: 100%; height: auto; }
figcaption { text-align: left; font-size: .92em; color: var(--muted); margin-top: 6px; }
figcaption .files { font-size: .85em; }
.missing { background: #fff4e5; border: 1px dashed #e0a040; padding: 1em; text-align: left; }
table { border-collapse: collapse; margin: .8em 0 1.2em; font-size: .94em; break-inside: avoid; }
th, td { padding: .3em .7em; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
table.numbers td { font-variant-numeric: tabular-nums; }
table.numbers thead th { border-bottom: 2px solid var(--ink); }
table.facts th { font-weight: normal; color: var(--muted); padding-right: 1.5em; }
table.facts td { font-variant-numeric: tabular-nums; font-weight: 600; }
tr.chosen td { background: #e8f1fb; font-weight: 600; }
table.grid { table-layout: fixed; width: 100%; font-size: .74em; }
table.grid td, table.grid th { border: 1px solid white; text-align: center; padding: .25em .1em; }
table.grid td b { display: block; font-size: 1.05em; }
table.grid th { color: var(--muted); font-weight: normal; background: white; }
.formula { font-family: "Times New Roman", Times, serif; font-size: 1.08em; margin: .6em 0 .6em 1.5em; }
.note { color: var(--muted); font-size: .92em; }
.callout { border-left: 4px solid var(--accent); background: var(--soft); padding: .6em 1em; margin: 1em 0; }
footer { margin-top: 3em; color: var(--muted); font-size: .85em; border-top: 1px solid var(--rule); padding-top: .8em; }
@media print {
  @page { size: A4; margin: 14mm 14mm 16mm; }
  body { background: white; font-size: 11pt; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  nav.toc { break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure { border: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
}
)css";

}  // namespace convgrad

// Helpers for the figure and report tests: the mock results.json, fresh folders, a fake
// gnuplot, and a small XML well-formedness check (no XML library needed).
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace report_test {

namespace fs = std::filesystem;

inline nlohmann::json mock_results() {
  std::ifstream in(std::string(CONVGRAD_FIXTURES_DIR) + "/report/mock_results.json");
  return nlohmann::json::parse(in);
}

inline fs::path fresh_dir(const std::string& tag) {
  const fs::path dir = fs::temp_directory_path() / ("convgrad_report_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// An executable shell script standing in for gnuplot.
inline std::string fake_gnuplot(const fs::path& dir, const std::string& body) {
  const fs::path path = dir / "fake-gnuplot";
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path.string();
}

inline size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Elements that draw something in a gnuplot SVG.
inline size_t drawn_elements(const std::string& svg) {
  size_t n = 0;
  for (const char* tag : {"<path", "<polygon", "<polyline", "<circle", "<use", "<rect", "<line"}) n += count_of(svg, tag);
  return n;
}

// Files in `dir` whose name contains `part`.
inline std::vector<std::string> files_containing(const fs::path& dir, const std::string& part) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find(part) != std::string::npos) out.push_back(entry.path().string());
  return out;
}

// Well-formed XML: one root element, tags nested and matched, attributes quoted, '&' only in
// entity or character references, '<' only opening markup. Returns "" or what is wrong.
inline std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0, roots = 0;
  const size_t n = xml.size();
  auto name_at = [&](size_t& k) {
    const size_t start = k;
    while (k < n && (std::isalnum(static_cast<unsigned char>(xml[k])) || xml[k] == ':' || xml[k] == '-' ||
                     xml[k] == '_' || xml[k] == '.'))
      ++k;
    return xml.substr(start, k - start);
  };
  while (i < n) {
    if (xml[i] == '&') {
      const size_t semi = xml.find(';', i);
      if (semi == std::string::npos || semi - i > 10 || semi == i + 1) return "bad '&' at " + std::to_string(i);
      i = semi + 1;
      continue;
    }
    if (xml[i] != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) return "text outside the root";
      ++i;
      continue;
    }
    if (xml.compare(i, 4, "<!--") == 0) {
      const size_t end = xml.find("-->", i + 4);
      if (end == std::string::npos) return "unclosed comment";
      i = end + 3;
    } else if (xml.compare(i, 9, "<![CDATA[") == 0) {
      const size_t end = xml.find("]]>", i);
      if (end == std::string::npos) return "unclosed CDATA";
      i = end + 3;
    } else if (xml.compare(i, 2, "<?") == 0 || xml.compare(i, 2, "<!") == 0) {
      const size_t end = xml.find('>', i);
      if (end == std::string::npos) return "unclosed declaration";
      i = end + 1;
    } else if (xml.compare(i, 2, "</") == 0) {
      size_t k = i + 2;
      const std::string name = name_at(k);
      while (k < n && std::isspace(static_cast<unsigned char>(xml[k]))) ++k;
      if (k >= n || xml[k] != '>') return "bad end tag </" + name;
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes <" + (open.empty() ? "nothing" : open.back()) + ">";
      open.pop_back();
      i = k + 1;
    } else {
      size_t k = i + 1;
      const std::string name = name_at(k);
      if (name.empty()) return "bad '<' at " + std::to_string(i);
      while (true) {  // attributes
        while (k < n && std::isspace(static_cast<unsigned char>(xml[k]))) ++k;
        if (k >= n) return "unclosed tag <" + name;
        if (xml[k] == '>' || xml.compare(k, 2, "/>") == 0) break;
        const std::string attribute = name_at(k);
        if (attribute.empty()) return "bad attribute in <" + name;
        while (k < n && std::isspace(static_cast<unsigned char>(xml[k]))) ++k;
        if (k >= n || xml[k] != '=') return "attribute " + attribute + " without a value in <" + name;
        ++k;
        while (k < n && std::isspace(static_cast<unsigned char>(xml[k]))) ++k;
        if (k >= n || (xml[k] != '"' && xml[k] != '\'')) return "unquoted attribute " + attribute;
        const size_t close = xml.find(xml[k], k + 1);
        if (close == std::string::npos) return "unclosed attribute " + attribute;
        if (xml.substr(k + 1, close - k - 1).find('<') != std::string::npos) return "'<' in attribute " + attribute;
        k = close + 1;
      }
      if (open.empty()) ++roots;
      if (roots > 1) return "more than one root element";
      if (xml[k] == '>') {
        open.push_back(name);
        i = k + 1;
      } else {
        i = k + 2;
      }
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return roots == 1 ? "" : "no root element";
}

}  // namespace report_test

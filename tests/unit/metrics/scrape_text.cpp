#include "tests/unit/metrics/scrape_text.h"

#include <cmath>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace ficus::proxy::metrics::testing {

ScrapeText::ScrapeText(const std::string& text) {
  static const std::regex kSample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$)");
  static const std::regex kLabel(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?)re");
  static const std::regex kType(
      R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.starts_with("# HELP ")) continue;
    std::smatch m;
    if (line.starts_with("#")) {
      if (!std::regex_match(line, m, kType)) throw std::runtime_error("bad comment line: " + line);
      families_.insert(m[1]);
      types_[m[1]] = m[2];
      continue;
    }
    if (!std::regex_match(line, m, kSample)) throw std::runtime_error("bad sample line: " + line);
    Sample sample;
    sample.name = m[1];
    const std::string labels = m[3];
    std::size_t consumed = 0;
    for (std::sregex_iterator it(labels.begin(), labels.end(), kLabel), end; it != end; ++it) {
      if (static_cast<std::size_t>(it->position()) != consumed) {
        throw std::runtime_error("bad labels: " + line);
      }
      consumed += static_cast<std::size_t>(it->length());
      sample.labels[(*it)[1]] = (*it)[2];
    }
    if (consumed != labels.size()) throw std::runtime_error("bad labels: " + line);
    const std::string value = m[4];
    if (value == "+Inf") {
      sample.value = HUGE_VAL;
    } else {
      char* end = nullptr;
      sample.value = std::strtod(value.c_str(), &end);
      if (end != value.c_str() + value.size()) throw std::runtime_error("bad value: " + line);
    }
    samples_.push_back(std::move(sample));
  }
}

std::optional<std::string> ScrapeText::type_of(const std::string& family) const {
  auto it = types_.find(family);
  if (it == types_.end()) return std::nullopt;
  return it->second;
}

std::optional<double> ScrapeText::find(const std::string& name,
                                       const std::map<std::string, std::string>& labels) const {
  for (const Sample& s : samples_) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::nullopt;
}

double ScrapeText::value(const std::string& name,
                         const std::map<std::string, std::string>& labels) const {
  return find(name, labels).value_or(0.0);
}

double ScrapeText::sum(const std::string& name,
                       const std::map<std::string, std::string>& subset) const {
  double total = 0;
  for (const Sample& s : samples_) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : subset) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) match = false;
    }
    if (match) total += s.value;
  }
  return total;
}

}  // namespace ficus::proxy::metrics::testing

#include "config/json_document.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace ficus::config {
namespace {

using nlohmann::json;

// Follows the parser's events to know the JSON path of each key, so a duplicate can be named the
// same way as every other error. One frame per open object or array.
class DuplicateKeyFinder {
 public:
  explicit DuplicateKeyFinder(ErrorList& errors) : errors_(errors) {}

  bool on_event(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        count_array_element();
        frames_.push_back(Frame{event == json::parse_event_t::array_start, 0, {}, {}});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        break;
      case json::parse_event_t::key: {
        Frame& object = frames_.back();
        object.key = parsed.get<std::string>();
        if (!object.seen.insert(object.key).second) {
          errors_.add(current_path(),
                      "duplicate key; JSON keeps only the last one, so remove or merge the others");
          found_any_ = true;
        }
        break;
      }
      case json::parse_event_t::value:
        count_array_element();
        break;
    }
    return true;
  }

  bool found_any() const { return found_any_; }

 private:
  struct Frame {
    bool is_array;
    std::size_t elements;  // arrays: how many elements have started
    std::string key;       // objects: the key being read
    std::set<std::string> seen;
  };

  void count_array_element() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().elements;
  }

  std::string current_path() const {
    std::string path;
    for (const Frame& frame : frames_) {
      path = frame.is_array ? index_path(path, frame.elements - 1) : child_path(path, frame.key);
    }
    return path;
  }

  ErrorList& errors_;
  std::vector<Frame> frames_;
  bool found_any_ = false;
};

// nlohmann reports "parse error at line L, column C: DETAIL"; keep DETAIL, since line and column
// are reported separately.
std::string syntax_detail(const json::parse_error& error) {
  std::string_view what = error.what();
  const auto column = what.find("column ");
  const auto colon = column == std::string_view::npos ? column : what.find(": ", column);
  if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
  return std::string(what);
}

}  // namespace

std::optional<json> parse_json_document(std::string_view text, ErrorList& errors) {
  DuplicateKeyFinder duplicates(errors);
  try {
    json document = json::parse(
        text,
        [&duplicates](int /*depth*/, json::parse_event_t event, json& parsed) {
          return duplicates.on_event(event, parsed);
        },
        /*allow_exceptions=*/true, /*ignore_comments=*/true);
    if (duplicates.found_any()) return std::nullopt;
    return document;
  } catch (const json::parse_error& error) {
    // error.byte is the 1-based offset of the character that broke the parse.
    const std::size_t offset = std::min<std::size_t>(error.byte, text.size());
    const std::string_view before = text.substr(0, offset == 0 ? 0 : offset - 1);
    const std::size_t line =
        1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t line_start =
        before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
    const std::size_t column = before.size() - line_start + 1;
    errors.add_at(line, column,
                  fmt::format("invalid JSON: {} (comments are allowed, trailing commas are not)",
                              syntax_detail(error)));
    return std::nullopt;
  } catch (const json::out_of_range& error) {
    // A number too large for a double (e.g. 1e999) is reported as out_of_range, without a
    // position. Found by tests/fuzz (config).
    std::string what = error.what();
    if (const auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    errors.add_at(1, 1, fmt::format("invalid JSON: {}; write a number that fits a double", what));
    return std::nullopt;
  }
}

}  // namespace ficus::config

#include "migrations/lint/raw_stmt_reader.h"

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "migrations/runner/migration_error.h"

namespace ficus::migrations::pg_tree {
namespace {

using Json = nlohmann::json;

// libpg_query's output is {"version": N, "stmts": [{"stmt": {...}, "stmt_len": N}, ...]}: the
// root object is container depth 1, the "stmts" array depth 2, each RawStmt depth 3. Below a
// RawStmt this builds the DOM as nlohmann's own DOM parser would; above it, it keeps nothing.
class RawStmtReader final : public nlohmann::json_sax<Json> {
 public:
  explicit RawStmtReader(const std::function<void(Json&)>& visit) : visit_(visit) {}

  bool null() override { return value(Json(nullptr)); }
  bool boolean(bool v) override { return value(Json(v)); }
  bool number_integer(number_integer_t v) override { return value(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return value(Json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return value(Json(v)); }
  bool string(string_t& v) override { return value(Json(std::move(v))); }
  bool binary(binary_t&) override { return true; }  // never in JSON text
  bool key(string_t& k) override {
    key_ = std::move(k);
    return true;
  }
  bool start_object(std::size_t) override { return open(Json::value_t::object); }
  bool start_array(std::size_t) override { return open(Json::value_t::array); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string&, const Json::exception& e) override {
    error_ = fmt::format("at byte {}: {}", position, e.what());
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  static constexpr int kRawStmtDepth = 3;

  bool open(Json::value_t type) {
    ++depth_;
    if (!open_.empty()) {
      open_.push_back(&insert(Json(type)));
    } else if (depth_ == kRawStmtDepth - 1) {
      in_stmts_ = type == Json::value_t::array && key_ == "stmts";
    } else if (depth_ == kRawStmtDepth && in_stmts_) {
      statement_ = Json(type);
      open_.push_back(&statement_);
    }
    return true;
  }

  bool close() {
    --depth_;
    if (open_.empty()) return true;
    open_.pop_back();
    if (open_.empty()) {
      visit_(statement_);
      statement_ = Json();  // freed now, while its memory is still in cache
    }
    return true;
  }

  bool value(Json&& v) {
    if (!open_.empty()) insert(std::move(v));
    return true;
  }

  // Adds `v` to the innermost open container. The returned reference stays valid while it is
  // the innermost one: nothing is added to its parent until it is closed.
  Json& insert(Json&& v) {
    Json& parent = *open_.back();
    if (parent.is_array()) {
      auto& array = parent.get_ref<Json::array_t&>();
      array.push_back(std::move(v));
      return array.back();
    }
    auto& object = parent.get_ref<Json::object_t&>();
    return object.insert_or_assign(std::move(key_), std::move(v)).first->second;
  }

  const std::function<void(Json&)>& visit_;
  int depth_ = 0;
  bool in_stmts_ = false;
  std::string key_;
  Json statement_;
  std::vector<Json*> open_;  // the containers of the current statement being built
  std::string error_;
};

}  // namespace

void for_each_raw_stmt(std::string_view parse_tree_json,
                       const std::function<void(nlohmann::json& raw_stmt)>& visit) {
  RawStmtReader reader(visit);
  if (!Json::sax_parse(parse_tree_json, &reader))
    throw MigrationError(
        fmt::format("libpg_query returned a parse tree that is not JSON ({}); please report this "
                    "with the migration that caused it",
                    reader.error()));
}

}  // namespace ficus::migrations::pg_tree

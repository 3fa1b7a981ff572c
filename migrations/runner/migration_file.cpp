#include "migrations/runner/migration_file.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "migrations/runner/migration_error.h"
#include "migrations/runner/sha256.h"

namespace ficus::migrations {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    s = trim(s);
    if (s.empty()) return out;
    std::size_t end = 0;
    while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end]))) ++end;
    out.push_back(s.substr(0, end));
    s.remove_prefix(end);
  }
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || value < 0) return std::nullopt;
  return value;
}

// A comment line that starts with `-- ficus:` or `-- migrate:`; returns what follows the colon.
// Directives are whole comment lines (as in dbmate), so `ficus:` inside SQL text is never one.
std::optional<std::string_view> directive_of(std::string_view line, bool& dbmate) {
  line = trim(line);
  if (!line.starts_with("--")) return std::nullopt;
  line = trim(line.substr(2));
  for (auto [prefix, is_dbmate] : {std::pair{"ficus:", false}, std::pair{"migrate:", true}}) {
    if (line.starts_with(prefix)) {
      dbmate = is_dbmate;
      return line.substr(std::string_view(prefix).size());
    }
  }
  return std::nullopt;
}

constexpr std::string_view kKnownDirectives =
    "up, verify, down, no-transaction, phase, allow, batch, lock-timeout, statement-timeout";

class FileParser {
 public:
  FileParser(const std::string& path, std::string_view text, MigrationFile& out)
      : path_(path), text_(text), out_(out) {}

  void parse() {
    enum class Where { kHeader, kUp, kVerify, kDown } where = Where::kHeader;
    std::size_t pos = 0;
    std::size_t line_no = 0;
    Section* current = nullptr;
    std::size_t section_start = 0;
    auto close_section = [&](std::size_t end) {
      if (current) current->sql = std::string(text_.substr(section_start, end - section_start));
    };
    while (pos < text_.size() || (pos == text_.size() && line_no == 0)) {
      std::size_t eol = text_.find('\n', pos);
      std::size_t next = eol == std::string_view::npos ? text_.size() : eol + 1;
      std::string_view line = text_.substr(pos, next - pos);
      ++line_no;
      bool dbmate = false;
      if (auto directive = directive_of(line, dbmate)) {
        auto parts = words(*directive);
        std::string_view verb = parts.empty() ? std::string_view() : parts[0];
        if (verb == "up" || verb == "down" || (verb == "verify" && !dbmate)) {
          Section& section = verb == "up" ? out_.up : verb == "down" ? out_.down : out_.verify;
          if (section.present) fail(line_no, fmt::format("a second `-- ficus:{}` marker", verb));
          if (verb != "up" && !out_.up.present)
            fail(line_no,
                 fmt::format("`-- ficus:{}` must come after the `-- ficus:up` section", verb));
          for (std::size_t i = 1; i < parts.size(); ++i) {
            if (parts[i] == "transaction:false") {
              out_.transaction = false;
            } else if (parts[i] != "transaction:true") {
              fail(line_no, fmt::format("unknown marker option `{}` (only transaction:false is "
                                        "understood)",
                                        parts[i]));
            }
          }
          close_section(pos);
          current = &section;
          section.present = true;
          section.first_line = line_no + 1;
          section_start = next;
          where = verb == "up" ? Where::kUp : verb == "down" ? Where::kDown : Where::kVerify;
        } else if (dbmate) {
          // Other `-- migrate:` words are dbmate's business (none exist today); leave them be.
        } else {
          directive_line(verb, parts, line_no, where == Where::kUp);
        }
      } else if (where == Where::kHeader && !trim(line).empty() && !trim(line).starts_with("--")) {
        fail(line_no,
             "SQL before the `-- ficus:up` marker; put the migration's statements after "
             "a line `-- ficus:up`");
      }
      if (next == pos) break;
      pos = next;
    }
    close_section(text_.size());
    if (!out_.up.present)
      fail(1,
           "no `-- ficus:up` marker; a migration needs a line `-- ficus:up` (or dbmate's "
           "`-- migrate:up`) before its statements");
    if (!out_.batches.empty() && out_.phase != Phase::kBackfill)
      fail(out_.batches.front().line,
           "`-- ficus:batch` is only allowed in a backfill migration; add `-- ficus:phase "
           "backfill`");
  }

 private:
  [[noreturn]] void fail(std::size_t line, const std::string& what) const {
    throw MigrationError(fmt::format("{}:{}: {}", path_, line, what));
  }

  void directive_line(std::string_view verb, const std::vector<std::string_view>& parts,
                      std::size_t line, bool in_up) {
    if (verb == "no-transaction") {
      out_.transaction = false;
    } else if (verb == "phase") {
      std::string_view value = parts.size() > 1 ? parts[1] : "";
      if (value == "expand") {
        out_.phase = Phase::kExpand;
      } else if (value == "backfill") {
        out_.phase = Phase::kBackfill;
      } else if (value == "contract") {
        out_.phase = Phase::kContract;
      } else {
        fail(line, fmt::format("phase `{}` is not one of expand, backfill, contract", value));
      }
    } else if (verb == "allow") {
      if (parts.size() < 3)
        fail(line,
             "`-- ficus:allow` needs a rule id and a reason, e.g. `-- ficus:allow "
             "dropping-column column unused since release 42`");
      std::string reason;
      for (std::size_t i = 2; i < parts.size(); ++i) {
        if (!reason.empty()) reason += ' ';
        reason += parts[i];
      }
      out_.allows.push_back({std::string(parts[1]), reason, line});
    } else if (verb == "batch") {
      if (!in_up) fail(line, "`-- ficus:batch` must be inside the up section, before an UPDATE");
      BatchDirective batch;
      batch.line = line;
      for (std::size_t i = 1; i < parts.size(); ++i) {
        auto eq = parts[i].find('=');
        std::string_view key = parts[i].substr(0, eq);
        std::string_view value = eq == std::string_view::npos ? "" : parts[i].substr(eq + 1);
        if (key == "key" && !value.empty()) {
          batch.key = std::string(value);
        } else if (key == "size" && parse_int(value) && *parse_int(value) > 0) {
          batch.size = *parse_int(value);
        } else if (key == "sleep_ms" && parse_int(value)) {
          batch.sleep_ms = *parse_int(value);
        } else {
          fail(line, fmt::format("bad batch option `{}`; write `-- ficus:batch key=id size=1000 "
                                 "sleep_ms=50` (size > 0, sleep_ms >= 0)",
                                 parts[i]));
        }
      }
      if (batch.key.empty()) fail(line, "`-- ficus:batch` needs key=COLUMN (a unique column)");
      out_.batches.push_back(batch);
    } else if (verb == "lock-timeout" || verb == "statement-timeout") {
      auto ms = parts.size() == 2 ? parse_duration_ms(parts[1]) : std::nullopt;
      if (!ms)
        fail(line, fmt::format("`-- ficus:{}` needs one duration such as 5s, 250ms or 2min", verb));
      (verb == "lock-timeout" ? out_.lock_timeout_ms : out_.statement_timeout_ms) = ms;
    } else {
      fail(line, fmt::format("unknown directive `-- ficus:{}`; known directives: {}", verb,
                             kKnownDirectives));
    }
  }

  const std::string& path_;
  std::string_view text_;
  MigrationFile& out_;
};

}  // namespace

std::string_view phase_name(Phase phase) {
  switch (phase) {
    case Phase::kExpand:
      return "expand";
    case Phase::kBackfill:
      return "backfill";
    case Phase::kContract:
      return "contract";
    case Phase::kNone:
      break;
  }
  return "";
}

std::size_t Section::line_of(std::size_t offset) const {
  if (!indexed_) {
    for (std::size_t i = 0; i < sql.size(); ++i)
      if (sql[i] == '\n') newlines_.push_back(i);
    indexed_ = true;
  }
  offset = std::min(offset, sql.size());
  auto before = std::lower_bound(newlines_.begin(), newlines_.end(), offset) - newlines_.begin();
  return first_line + static_cast<std::size_t>(before);
}

bool MigrationFile::allows_rule(std::string_view rule_id) const {
  return std::any_of(allows.begin(), allows.end(),
                     [&](const AllowDirective& a) { return a.rule == rule_id; });
}

std::optional<VersionAndName> split_file_name(std::string_view file_name) {
  if (!file_name.ends_with(".sql")) return std::nullopt;
  file_name.remove_suffix(4);
  if (file_name.size() < 16 || file_name[14] != '_') return std::nullopt;
  std::string_view version = file_name.substr(0, 14);
  if (!std::all_of(version.begin(), version.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  return VersionAndName{std::string(version), std::string(file_name.substr(15))};
}

MigrationFile parse_migration_file(const std::string& path, std::string_view text,
                                   FileNaming naming) {
  MigrationFile out;
  out.path = path;
  std::string file_name = std::filesystem::path(path).filename().string();
  auto parts = split_file_name(file_name);
  if (!parts && naming == FileNaming::kAnyName) parts = VersionAndName{};
  if (!parts)
    throw MigrationError(fmt::format(
        "{}: file name must be <version>_<name>.sql with a 14-digit UTC version "
        "(yyyymmddhhmmss), e.g. 20240131093000_add_email.sql; rename it or create it with "
        "`ficus migrate new NAME`",
        path));
  out.version = parts->version;
  out.name = parts->name;
  out.checksum = sha256_hex(text);
  FileParser(path, text, out).parse();
  return out;
}

MigrationFile read_migration_file(const std::string& path, FileNaming naming) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw MigrationError(fmt::format("{}: cannot read the file", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_migration_file(path, buffer.str(), naming);
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  auto number = parse_int(text.substr(0, digits));
  if (!number) return std::nullopt;
  std::string_view unit = text.substr(digits);
  if (unit.empty() || unit == "ms") return *number;
  if (unit == "s") return *number * 1000;
  if (unit == "min") return *number * 60'000;
  if (unit == "h") return *number * 3'600'000;
  return std::nullopt;
}

}  // namespace ficus::migrations

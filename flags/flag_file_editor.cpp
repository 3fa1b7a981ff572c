#include "flags/flag_file_editor.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "flags/atomic_file.h"
#include "flags/file_descriptor.h"
#include "flags/flag_set.h"

namespace ficus::flags {
namespace {

namespace fs = std::filesystem;
using ordered = nlohmann::ordered_json;
using Status = FlagEditResult::Status;

FlagEditResult fail(Status status, std::string error) {
  return {status, std::move(error), {}};
}

std::string errno_text() {
  return std::strerror(errno);
}

// flock() is per open file description, so it also excludes other processes (a second `ficus
// serve` or an operator's script using the same convention). The sidecar file is never renamed,
// unlike the flag file itself, so every writer locks the same inode.
class SidecarLock {
 public:
  explicit SidecarLock(const fs::path& file)
      : fd_(::open((file.string() + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_.get() < 0) {
      error_ = "cannot open lock file " + file.string() + ".lock: " + errno_text();
      return;
    }
    while (::flock(fd_.get(), LOCK_EX) != 0) {
      if (errno != EINTR) {
        error_ = "cannot lock " + file.string() + ".lock: " + errno_text();
        return;
      }
    }
  }
  ~SidecarLock() {
    if (fd_.get() >= 0 && error_.empty()) ::flock(fd_.get(), LOCK_UN);
  }
  SidecarLock(const SidecarLock&) = delete;
  SidecarLock& operator=(const SidecarLock&) = delete;
  const std::string& error() const { return error_; }

 private:
  FileDescriptor fd_;
  std::string error_;
};

std::mutex& writer_mutex() {
  static std::mutex mutex;
  return mutex;
}

// Every writer holds the sidecar lock from creating its temp file until renaming or removing it,
// so a temp file seen while holding the lock was left by a writer that died (SIGKILL, power
// loss) half-way. They are removed here rather than left to pile up next to the flag file.
void remove_abandoned_temps(const fs::path& dir, const fs::path& file) {
  const std::string prefix = atomic_temp_prefix(file);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().starts_with(prefix)) fs::remove(entry.path(), ec);
  }
}

struct VariantNames {
  std::string new_name;
  std::string old_name;
};

// Rewrites every fractional below `node`; returns how many it found. Sets `error` when one cannot
// be rewritten, and `saw_ref` when the targeting refers to a shared $evaluator.
int rewrite_fractionals(ordered& node, const VariantNames& names, std::uint32_t new_weight,
                        bool& saw_ref, std::string& error) {
  int found = 0;
  if (node.is_object()) {
    for (auto& [op, args] : node.items()) {
      if (op == "$ref") saw_ref = true;
      if (op == "fractional" && args.is_array()) {
        ++found;
        bool has_new = false;
        bool has_old = false;
        for (auto& entry : args) {
          // Entries are [variant, weight?]; anything else is the optional bucketing expression.
          if (!entry.is_array() || entry.empty() || !entry[0].is_string()) continue;
          const std::string variant = entry[0].get<std::string>();
          std::uint32_t weight = 0;
          if (variant == names.new_name) {
            weight = new_weight;
            has_new = true;
          } else if (variant == names.old_name) {
            weight = kTotalWeight - new_weight;
            has_old = true;
          } else {
            error = "its fractional also names variant \"" + variant +
                    "\", which is neither the new nor the old variant; edit a split with more "
                    "than two variants by hand";
            return found;
          }
          if (entry.size() == 1)
            entry.push_back(weight);
          else
            entry[1] = weight;
        }
        if (!has_old) args.push_back(ordered::array({names.old_name, kTotalWeight - new_weight}));
        if (!has_new) args.push_back(ordered::array({names.new_name, new_weight}));
        continue;  // variant entries hold no nested fractional worth rewriting
      }
      found += rewrite_fractionals(args, names, new_weight, saw_ref, error);
      if (!error.empty()) return found;
    }
  } else if (node.is_array()) {
    for (auto& element : node) {
      found += rewrite_fractionals(element, names, new_weight, saw_ref, error);
      if (!error.empty()) return found;
    }
  }
  return found;
}

// Sets the split on `flag`; returns an error sentence (without the file/flag prefix) or "".
std::string apply_split(ordered& flag, std::uint32_t new_weight) {
  VariantNames names;
  int new_count = 0;
  int old_count = 0;
  if (flag.contains("variants") && flag["variants"].is_object()) {
    for (const auto& [name, value] : flag["variants"].items()) {
      if (is_new_value(value)) {
        names.new_name = name;
        ++new_count;
      } else if (is_old_value(value)) {
        names.old_name = name;
        ++old_count;
      }
    }
  }
  if (new_count != 1 || old_count != 1) {
    return "a split needs exactly one variant whose value is \"new\" (or true) and one whose "
           "value is \"old\" (or false); found " +
           std::to_string(new_count) + " and " + std::to_string(old_count);
  }
  bool saw_ref = false;
  std::string error;
  int found = 0;
  if (flag.contains("targeting")) {
    found = rewrite_fractionals(flag["targeting"], names, new_weight, saw_ref, error);
  }
  if (!error.empty()) return error;
  if (found > 0) return {};
  if (saw_ref) {
    return "its targeting uses $ref and has no fractional of its own; shared $evaluators are not "
           "edited, so put the fractional in the flag's targeting";
  }
  const bool no_targeting = !flag.contains("targeting") || flag["targeting"].is_null() ||
                            (flag["targeting"].is_object() && flag["targeting"].empty());
  if (!no_targeting) {
    return "its targeting has no fractional operation to set; add one by hand, e.g. "
           "{\"fractional\": [[\"old\", 1], [\"new\", 0]]}";
  }
  flag["targeting"] = {
      {"fractional", ordered::array({
                         ordered::array({names.old_name, kTotalWeight - new_weight}),
                         ordered::array({names.new_name, new_weight}),
                     })}};
  return {};
}

std::string first_errors(const std::vector<FlagError>& errors) {
  std::string text;
  for (std::size_t i = 0; i < errors.size() && i < 3; ++i) {
    if (!text.empty()) text += "; ";
    text += errors[i].to_string();
  }
  return text;
}

}  // namespace

std::uint32_t weight_for_percent(double percent) {
  const double clamped = std::min(100.0, std::max(0.0, percent));
  return static_cast<std::uint32_t>(std::llround(clamped * (kTotalWeight / 100.0)));
}

bool is_new_value(const nlohmann::json& value) {
  return (value.is_string() && value.get_ref<const std::string&>() == "new") ||
         (value.is_boolean() && value.get<bool>());
}

bool is_old_value(const nlohmann::json& value) {
  return (value.is_string() && value.get_ref<const std::string&>() == "old") ||
         (value.is_boolean() && !value.get<bool>());
}

FlagEditResult edit_flag_file(const fs::path& file, std::string_view key, const FlagEdit& edit) {
  const std::string where = file.string() + ": flag \"" + std::string(key) + "\": ";
  if (edit.new_weight && *edit.new_weight > kTotalWeight) {
    return fail(Status::rejected, where + "new weight " + std::to_string(*edit.new_weight) +
                                      " exceeds the total " + std::to_string(kTotalWeight));
  }
  std::lock_guard in_process(writer_mutex());
  SidecarLock across_processes(file);
  if (!across_processes.error().empty()) return fail(Status::io_error, across_processes.error());

  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(Status::io_error, "cannot read " + file.string() + ": " + errno_text());
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string original_text = buffer.str();

  // Refuse to build on a file that is broken right now: the edit would be blamed for it.
  const SourceParse current = parse_flag_source(original_text, file.string());
  if (!current.ok()) {
    return fail(Status::rejected, file.string() + " is not a valid flag file now (" +
                                      first_errors(current.errors) + "); fix it by hand first");
  }
  ordered document = ordered::parse(original_text);
  if (!document.contains("flags") || !document["flags"].contains(std::string(key))) {
    return fail(Status::not_found, where + "not defined in this file");
  }
  ordered& flag = document["flags"][std::string(key)];
  const ordered before = flag;
  if (edit.new_weight) {
    if (std::string error = apply_split(flag, *edit.new_weight); !error.empty()) {
      return fail(Status::rejected, where + error);
    }
  }
  if (edit.enabled) flag["state"] = *edit.enabled ? "ENABLED" : "DISABLED";
  if (flag == before) return {Status::unchanged, {}, original_text};

  const std::string text = document.dump(2) + "\n";
  const SourceParse check = parse_flag_source(text, file.string());
  if (!check.ok()) {
    return fail(Status::rejected,
                where + "the edited file would be invalid (" + first_errors(check.errors) + ")");
  }
  remove_abandoned_temps(file.has_parent_path() ? file.parent_path() : fs::path("."), file);
  if (std::string error = replace_file_atomically(file, text); !error.empty()) {
    return fail(Status::io_error, error);
  }
  return {Status::changed, {}, text};
}

}  // namespace ficus::flags

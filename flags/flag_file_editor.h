// FlagFileEditor: changes one flag's rollout (fractional weights, state) in its flagd source file.
//
// The control plane's writes go through here so that a split, kill or restore is durable before it
// is acknowledged and the file is never seen half-written: the new text is built from the file as
// it is now, validated as a whole flag source (strict), written to a temp file in the same folder,
// fsynced, renamed over the original, and the folder fsynced. Writers in this process are
// serialised by a mutex and writers in other processes by flock() on a sidecar "FILE.lock", so two
// concurrent edits never lose one another's change. Everything else in the file is kept (key order
// too, via ordered_json); only the layout is re-indented.
//
// Weights: the total of a rewritten fractional is always kTotalWeight (1,000,000), so a share has a
// resolution of 0.0001 %. The "new" variant is the one whose value is "new" or true; "old" is "old"
// or false.
//
//   auto result = ficus::flags::edit_flag_file("/etc/ficus/flags.json", "orders-cutover",
//                                              FlagEdit::split(weight_for_percent(12.5)));
//   if (!result.ok()) reply(409, result.error);
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ficus::flags {

inline constexpr std::uint32_t kTotalWeight = 1'000'000;

// 12.5 -> 125000; `percent` must be within 0..100.
std::uint32_t weight_for_percent(double percent);

// True for a variant value that means "send to new": "new" or true. "old"/false mean old.
bool is_new_value(const nlohmann::json& value);
bool is_old_value(const nlohmann::json& value);

struct FlagEdit {
  // Weight of the "new" variant out of kTotalWeight; "old" gets the rest. Unset: weights untouched.
  std::optional<std::uint32_t> new_weight;
  // true -> "state": "ENABLED", false -> "DISABLED". Unset: state untouched.
  std::optional<bool> enabled;

  static FlagEdit split(std::uint32_t weight_of_new) { return {weight_of_new, std::nullopt}; }
  static FlagEdit state(bool enable) { return {std::nullopt, enable}; }
};

struct FlagEditResult {
  enum class Status {
    changed,    // written and renamed into place
    unchanged,  // the file already said that; nothing written
    not_found,  // the file does not define the flag
    rejected,   // the edit cannot be applied to this flag or file; nothing written
    io_error,   // reading, writing or renaming failed; the original file is intact
  };
  Status status = Status::rejected;
  std::string error;  // a sentence naming the file and flag and what to do; empty when ok()
  std::string text;   // changed/unchanged: the file's text as it now is on disk
  bool ok() const { return status == Status::changed || status == Status::unchanged; }
};

// Applies `edit` to flag `key` in `file` as described above.
FlagEditResult edit_flag_file(const std::filesystem::path& file, std::string_view key,
                              const FlagEdit& edit);

}  // namespace ficus::flags

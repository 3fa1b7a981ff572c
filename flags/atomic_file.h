// replace_file_atomically: rewrites a file so that a crash at any moment leaves either the old or
// the new content, never a torn mix. Used for flag files (flag_file_editor) and the cutover state
// file (cutover/state_file), both of which must survive SIGKILL and power loss after a change was
// acknowledged.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace ficus::flags {

// Temp files are named "<prefix><pid>-<n>" in the file's folder; a writer that died half-way
// leaves one behind, which callers holding their own lock may remove by this prefix.
std::string atomic_temp_prefix(const std::filesystem::path& file);

// Writes `text` to a temp file in the same folder (rename is atomic only within one file system),
// fsyncs it, renames it over `file` and fsyncs the folder so the rename itself survives a crash.
// The file keeps the permission bits it had; a new one gets `new_file_mode`. Returns an empty
// string on success, else what failed (the temp file is removed; `file` is untouched unless the
// message says it was renamed).
std::string replace_file_atomically(const std::filesystem::path& file, std::string_view text,
                                    mode_t new_file_mode = 0644);

}  // namespace ficus::flags

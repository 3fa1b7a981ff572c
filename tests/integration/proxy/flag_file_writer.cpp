// flag_file_writer FILE KEY FIRST: the writer the crash-safety test kills. From write number
// FIRST on, it sets flag KEY's share of new in FILE through the real flag file editor, forever, and
// after each acknowledged write prints its number on stdout ("17\n"), unbuffered. The weight of
// write n is weight_of_write(n) (crash_safety_weights.h), so the test knows what each number means.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "flags/flag_file_editor.h"
#include "tests/integration/proxy/crash_safety_weights.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: flag_file_writer FILE KEY FIRST\n");
    return 2;
  }
  const std::string file = argv[1];
  const std::string key = argv[2];
  for (unsigned long n = std::stoul(argv[3]);; ++n) {
    const auto result = ficus::flags::edit_flag_file(
        file, key, ficus::flags::FlagEdit::split(ficus::testing::weight_of_write(n)));
    if (!result.ok()) {
      std::fprintf(stderr, "write %lu failed: %s\n", n, result.error.c_str());
      return 1;
    }
    const std::string line = std::to_string(n) + "\n";
    if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      return 1;
    }
  }
}

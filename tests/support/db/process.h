// Runs a program without a shell and collects its exit status and output; for test fixtures and
// end-to-end CLI tests.
//
//   ProcessResult r = run_process({"/usr/bin/env", "true"});
//   EXPECT_EQ(r.exit_code, 0) << r.output;
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ficus::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string output;  // stdout and stderr interleaved
};

// Blocks until the program exits. `env` entries (NAME=VALUE) are added to the environment.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {});

// Starts the program in the background with stdout/stderr appended to `log_path`.
pid_t start_process(const std::vector<std::string>& argv, const std::string& log_path,
                    const std::vector<std::string>& env = {});
// Waits for a started process; returns its exit code (128 + signal when killed).
int wait_process(pid_t pid);

}  // namespace ficus::testing

#include "migrations/runner/tool.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "config/redaction.h"
#include "migrations/runner/migration_error.h"

extern char** environ;

namespace ficus::migrations {

namespace {

// A database URL's password on a tool's command line is visible to every user of the machine (ps,
// /proc/PID/cmdline). It goes to the tool in PGPASSWORD instead, which libpq reads, and the
// argument keeps user@host. Only when every URL carries the same password: PGPASSWORD holds one.
struct ToolInvocation {
  std::vector<std::string> argv;
  std::vector<std::string> environment;  // "NAME=value"
};

ToolInvocation without_url_passwords(const std::vector<std::string>& argv) {
  ToolInvocation invocation{argv, {}};
  std::optional<std::string> password;
  for (auto& arg : invocation.argv) {
    auto split = config::split_url_password(arg);
    if (!split) continue;
    if (password && *password != split->password) return {argv, {}};  // two different ones
    password = split->password;
    arg = std::move(split->url);
  }
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view variable(*entry);
    if (password && variable.starts_with("PGPASSWORD=")) continue;
    invocation.environment.emplace_back(variable);
  }
  if (password) invocation.environment.push_back("PGPASSWORD=" + *password);
  return invocation;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

ToolResult run_tool(const std::vector<std::string>& tool_argv) {
  ToolInvocation invocation = without_url_passwords(tool_argv);
  const std::vector<std::string>& argv = invocation.argv;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return {127, fmt::format("pipe: {}", std::strerror(errno))};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  std::vector<char*> args = c_strings(invocation.argv);
  std::vector<char*> environment = c_strings(invocation.environment);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environment.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  ToolResult result;
  if (rc != 0) {
    close(pipe_fds[0]);
    return {127, fmt::format("cannot start `{}`: {}", argv[0], std::strerror(rc))};
  }
  char buffer[4096];
  for (;;) {
    ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string run_tool_or_throw(const std::vector<std::string>& argv, const std::string& what) {
  ToolResult r = run_tool(argv);
  if (r.exit_code != 0) {
    while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
    throw MigrationError(
        fmt::format("{} failed (`{}` exited with {}): {}", what, argv[0], r.exit_code, r.output));
  }
  return r.output;
}

}  // namespace ficus::migrations

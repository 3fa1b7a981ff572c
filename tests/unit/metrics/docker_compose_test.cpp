// docker/docker-compose.yml must be valid for `docker-compose config`. These machines have no
// Docker engine, so the file is checked, not run; without docker-compose the test is skipped.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/wait.h>

#include <gtest/gtest.h>

namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

const std::string kCompose = std::string(FICUS_DOCKER_DIR) + "/docker-compose.yml";

TEST(DockerCompose, FileValidatesWithDockerComposeConfig) {
  if (run("command -v docker-compose").exit_code != 0) {
    GTEST_SKIP() << "docker-compose is not on PATH (Debian package docker-compose)";
  }
  const CommandResult check = run("docker-compose -f '" + kCompose + "' config -q");
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST(DockerCompose, DefinesTheProxyDemoServicesDatabaseAndMonitoring) {
  if (run("command -v docker-compose").exit_code != 0) {
    GTEST_SKIP() << "docker-compose is not on PATH (Debian package docker-compose)";
  }
  const CommandResult services = run("docker-compose -f '" + kCompose + "' config --services");
  ASSERT_EQ(services.exit_code, 0) << services.output;
  for (std::string name : {"ficus", "old", "new", "postgres", "prometheus", "grafana"}) {
    EXPECT_NE(services.output.find(name + "\n"), std::string::npos) << name << " missing:\n"
                                                                    << services.output;
  }
}

}  // namespace

// ProxyProcess: runs the real `ficus serve` binary against a config written to a temp dir, for
// end-to-end tests over loopback. Ports are chosen free by the test; readiness is /readyz.
//
//   ProxyProcess proxy(R"({"upstreams": {...}, "routes": [...]})");   // listen/admin filled in
//   auto reply = http_get(proxy.port(), "/orders");
//   proxy.signal(SIGTERM); EXPECT_EQ(proxy.wait_exit(), 0);
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace ficus::testing {

// A new empty directory under the system temp dir (the caller removes it).
std::filesystem::path make_temp_dir();

// A loopback port nobody listens on right now.
std::uint16_t free_port();

class ProxyProcess {
 public:
  // `config` gets "listen" and "admin.listen" set to free ports unless it has them.
  explicit ProxyProcess(nlohmann::json config, bool wait_ready = true);
  ~ProxyProcess();
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path config_path() const { return dir_ / "ficus.json"; }
  const nlohmann::json& config() const { return config_; }

  // Rewrites the config file atomically (write + rename), as an operator's editor would.
  void write_config(const nlohmann::json& config);
  void signal(int signo) const;
  // Waits for the process to exit; returns its exit code (-signal if killed), or -1000 on timeout.
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // Everything the process wrote to stderr so far.
  std::string log() const;
  // Waits until the log contains `text`.
  bool wait_for_log(const std::string& text,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Peak resident set size (VmHWM) and current RSS, in bytes.
  std::uint64_t peak_rss() const;
  std::uint64_t rss() const;
  std::size_t open_fds() const;

 private:
  void spawn();  // forks and execs ficus serve on config_path()
  std::filesystem::path dir_;
  nlohmann::json config_;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
  pid_t pid_ = -1;
  bool exited_ = false;
};

}  // namespace ficus::testing

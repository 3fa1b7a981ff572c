#include "tests/integration/proxy/proxy_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/integration/proxy/http_client.h"

#ifndef FICUS_BINARY
#error "FICUS_BINARY must name the ficus executable"
#endif

namespace ficus::testing {
std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ficus-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

namespace {

std::uint64_t status_kib(pid_t pid, const std::string& key) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream fields(line.substr(key.size() + 1));
      std::uint64_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  return 0;
}

}  // namespace

std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

ProxyProcess::ProxyProcess(nlohmann::json config, bool wait_ready_now)
    : dir_(make_temp_dir()), config_(std::move(config)) {
  const bool pick_listen = !config_.contains("listen");
  const bool pick_admin = !config_.contains("admin") || !config_["admin"].contains("listen");
  auto port_of = [](const std::string& address) {
    return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
  };
  // free_port() lets go of the port it found before ficus binds it, so a test running in parallel
  // can take it first. Then ficus exits with "Address already in use": start it again on other
  // ports (only ports picked here; a test that chose its own ports sees the failure).
  for (int attempt = 1;; ++attempt) {
    if (pick_listen) config_["listen"] = "127.0.0.1:" + std::to_string(free_port());
    if (pick_admin) config_["admin"]["listen"] = "127.0.0.1:" + std::to_string(free_port());
    port_ = port_of(config_["listen"].get<std::string>());
    admin_port_ = port_of(config_["admin"]["listen"].get<std::string>());
    write_config(config_);
    spawn();
    if (!wait_ready_now || wait_ready()) return;
    // The destructor does not run when a constructor throws: stop the child here.
    std::string output = log();
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    exited_ = true;
    const bool lost_port_race =
        (pick_listen || pick_admin) && output.find("Address already in use") != std::string::npos;
    if (!lost_port_race || attempt == 3) {
      throw std::runtime_error("ficus did not become ready; log:\n" + output);
    }
    exited_ = false;
  }
}

void ProxyProcess::spawn() {
  std::string log_path = (dir_ / "stderr.log").string();
  std::string config_path = this->config_path().string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDERR_FILENO);
    ::dup2(fd, STDOUT_FILENO);
    // Nothing else of the test process may leak into the proxy (Asio does not set O_CLOEXEC): an
    // inherited upstream listener keeps that port bound after the test stop()s the upstream, so
    // it cannot start() again, and the proxy's open_fds() would count the test's sockets.
    ::close_range(3, ~0U, 0);
    ::execl(FICUS_BINARY, FICUS_BINARY, "--log-level", "debug", "serve", "--config",
            config_path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
}

ProxyProcess::~ProxyProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void ProxyProcess::write_config(const nlohmann::json& config) {
  config_ = config;
  auto temp = dir_ / "ficus.json.tmp";
  {
    std::ofstream out(temp);
    out << config.dump(2);
  }
  std::filesystem::rename(temp, config_path());
}

void ProxyProcess::signal(int signo) const {
  ::kill(pid_, signo);
}

int ProxyProcess::wait_exit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return -WTERMSIG(status);
      return -999;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1000;
}

bool ProxyProcess::wait_ready(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) return false;  // exited early
    auto reply = http_request(admin_port_, "GET", "/readyz", {}, "", std::chrono::seconds(1));
    if (reply.status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string ProxyProcess::log() const {
  std::ifstream in(dir_ / "stderr.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool ProxyProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::uint64_t ProxyProcess::peak_rss() const {
  return status_kib(pid_, "VmHWM");
}
std::uint64_t ProxyProcess::rss() const {
  return status_kib(pid_, "VmRSS");
}

std::size_t ProxyProcess::open_fds() const {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/fd")) {
    ++count;
  }
  return count;
}

}  // namespace ficus::testing

#include "tests/support/db/pg_server.h"

#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "tests/support/db/process.h"

namespace ficus::testing {
namespace {

namespace fs = std::filesystem;

int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

void check(const ProcessResult& r, const std::string& what) {
  if (r.exit_code != 0)
    throw std::runtime_error(what + " failed (exit " + std::to_string(r.exit_code) + "):\n" +
                             r.output);
}

// Stops the server and deletes its directory if this test process dies without running
// destructors (a crash or an ASan abort): a child waits for the pipe to close, which happens
// however the parent ends.
void start_cleanup_watchdog(const std::vector<std::string>& stop_command, const std::string& root) {
  int fds[2];
  if (pipe(fds) != 0) return;
  pid_t pid = fork();
  if (pid < 0) return;
  if (pid == 0) {
    close(fds[1]);
    char byte;
    while (read(fds[0], &byte, 1) > 0) {
    }
    run_process(stop_command);
    std::error_code ec;
    fs::remove_all(root, ec);
    _exit(0);
  }
  close(fds[0]);
  // Intentionally leaked: the write end closes when this process exits.
}

}  // namespace

std::string PgServer::bin_dir() {
  if (const char* dir = std::getenv("FICUS_PG_BIN"); dir && *dir) return dir;
  return "/usr/lib/postgresql/15/bin";
}

std::vector<std::string> PgServer::as_server_user(std::vector<std::string> argv) const {
  if (geteuid() != 0) return argv;
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return argv;
}

PgServer::PgServer() {
  std::string pattern = (fs::temp_directory_path() / "ficus-pg-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  root_ = pattern;
  if (geteuid() == 0) {
    const passwd* pg = getpwnam("postgres");
    if (!pg) throw std::runtime_error("running as root but there is no `postgres` user");
    if (chown(root_.c_str(), pg->pw_uid, pg->pw_gid) != 0)
      throw std::runtime_error("cannot chown " + root_ + " to postgres");
  }
  std::string data = root_ + "/data";
  check(run_process(as_server_user({bin_dir() + "/initdb", "-D", data, "-N", "-U", "postgres", "-A",
                                    "trust", "-E", "UTF8", "--no-locale", "--no-instructions"})),
        "initdb");
  start_cleanup_watchdog(
      as_server_user({bin_dir() + "/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"}), root_);
  std::string last_error;
  for (int attempt = 0; attempt < 3 && !running_; ++attempt) {
    port_ = free_loopback_port();
    std::string options = "-p " + std::to_string(port_) + " -k " + root_ +
                          " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
                          " -c synchronous_commit=off -c max_connections=40";
    ProcessResult r =
        run_process(as_server_user({bin_dir() + "/pg_ctl", "-D", data, "-l", root_ + "/server.log",
                                    "-o", options, "-w", "-t", "60", "start"}));
    running_ = r.exit_code == 0;
    last_error = r.output;
  }
  if (!running_) throw std::runtime_error("pg_ctl start failed 3 times:\n" + last_error);
}

PgServer::~PgServer() {
  if (running_)
    run_process(as_server_user(
        {bin_dir() + "/pg_ctl", "-D", root_ + "/data", "-m", "immediate", "-w", "stop"}));
  std::error_code ec;
  fs::remove_all(root_, ec);
}

std::string PgServer::url(const std::string& db) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

std::string PgServer::create_database() {
  std::string name = "test_" + std::to_string(++next_db_);
  PGconn* conn = PQconnectdb(url().c_str());
  PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string error = PQerrorMessage(conn);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error("CREATE DATABASE " + name + " failed: " + error);
  return url(name);
}

void PgEnvironment::SetUp() {
  instance() = std::make_unique<PgServer>();
}

void PgEnvironment::TearDown() {
  instance().reset();
}

PgServer& PgEnvironment::server() {
  if (!instance()) throw std::runtime_error("PgEnvironment was not added to this test binary");
  return *instance();
}

std::unique_ptr<PgServer>& PgEnvironment::instance() {
  static std::unique_ptr<PgServer> server;
  return server;
}

}  // namespace ficus::testing

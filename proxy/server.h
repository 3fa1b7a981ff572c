// Server: `ficus serve`. Loads the config, starts the workers, the listener and the admin listener,
// reloads on SIGHUP and when the config file changes, and drains on SIGTERM/SIGINT.
//
//   ficus::proxy::Server server("/etc/ficus/ficus.json");
//   return server.run();   // blocks; 0 after a clean drain, 1 when it could not start
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "proxy/asio.h"
#include "proxy/proxy_state.h"
#include "proxy/target_chooser.h"

namespace ficus::flags {
class FlagStore;
class FileWatcher;
}  // namespace ficus::flags

namespace ficus::proxy {

class Worker;
class Listener;
class AdminServer;
namespace metrics {
class ProxyMetrics;
class ComparisonWindow;
}  // namespace metrics

// What an extension sees at startup (the control plane plugs in here; see main.cpp). Everything
// outlives the extension's use of it during run().
struct ServerParts {
  AdminServer& admin;
  flags::FlagStore* flag_store;  // null when the config names no flag sources
  const Snapshot<config::RouteTable>& routes;
  metrics::ProxyMetrics& metrics;
  net::io_context& control;  // the control thread's loop (admin API, timers of the control plane)
  const metrics::ComparisonWindow& comparison;
};

class Server {
 public:
  explicit Server(std::filesystem::path config_file);
  ~Server();

  // Called once, on the control thread, after the flags loaded and before anything is served.
  void extend(std::function<void(ServerParts&)> extension) {
    extensions_.push_back(std::move(extension));
  }
  int run();

 private:
  // Loads and validates the config file; publishes it when valid, otherwise keeps the current
  // one. Returns whether the new config is now serving.
  bool reload(std::string_view why);
  // Starts the flag store on the config's sources; false when there are sources and none loaded.
  bool start_flags(const config::ProxyConfig& config);
  void publish_routes_to_metrics(const config::ProxyConfig& config);
  void register_admin_endpoints();
  void watch_signals();
  void begin_drain();
  net::awaitable<void> drain();

  std::filesystem::path config_file_;
  // Declared before control_ so they outlive it: a pending accept on control_ holds a socket that
  // belongs to a worker's io_context, and is destroyed with control_.
  std::vector<std::unique_ptr<Worker>> workers_;
  net::io_context control_;
  net::signal_set signals_;
  ProxyState state_;
  TargetChooser chooser_;
  std::unique_ptr<metrics::ProxyMetrics> metrics_;
  std::unique_ptr<metrics::ComparisonWindow> comparison_;
  std::unique_ptr<flags::FlagStore> flag_store_;
  std::unique_ptr<flags::FileWatcher> config_watcher_;
  std::atomic<bool> flags_ready_{false};
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<AdminServer> admin_;
  bool draining_ = false;
  std::atomic<bool> ready_{false};
  std::vector<std::function<void(ServerParts&)>> extensions_;
};

}  // namespace ficus::proxy

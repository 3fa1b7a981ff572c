#include "proxy/server.h"

#include <spdlog/spdlog.h>

#include "config/config_loader.h"
#include "proxy/admin_server.h"
#include "proxy/listener.h"
#include "proxy/worker.h"

namespace ficus::proxy {
namespace {

std::string describe_restart_needed(const config::ProxyConfig& running,
                                    const config::ProxyConfig& next) {
  std::string changed;
  auto note = [&](bool differs, std::string_view key) {
    if (!differs) return;
    if (!changed.empty()) changed += ", ";
    changed += key;
  };
  note(running.listen != next.listen, "listen");
  note(running.admin.listen != next.admin.listen, "admin.listen");
  note(running.threads != next.threads, "threads");
  note(running.access_log.path != next.access_log.path, "access_log");
  return changed;
}

}  // namespace

Server::Server(std::filesystem::path config_file)
    : config_file_(std::move(config_file)), control_(1), signals_(control_) {
  state_.chooser = &chooser_;
}

Server::~Server() {
  for (auto& worker : workers_) worker->stop();
}

bool Server::reload(std::string_view why) {
  auto loaded = config::load_config_file(config_file_);
  if (!loaded.ok()) {
    ++reloads_failed_;
    spdlog::error("config reload ({}) rejected, the previous config keeps serving:", why);
    for (const auto& error : loaded.errors) spdlog::error("  {}", error.to_string());
    return false;
  }
  auto running = state_.routes.load();
  if (running) {
    auto restart = describe_restart_needed(running->config(), *loaded.config);
    if (!restart.empty()) {
      spdlog::warn("config reload ({}): changes to {} take effect after a restart", why, restart);
    }
  }
  auto generation = state_.routes.store(config::RouteTable::build(loaded.config));
  ++reloads_ok_;
  if (running) spdlog::info("config reloaded ({}), generation {}", why, generation);
  return true;
}

void Server::register_admin_endpoints() {
  admin_->handle("/healthz", [](const AdminRequest&) {
    return json_reply(http::status::ok, {{"status", "ok"}});
  });
  admin_->handle("/readyz", [this](const AdminRequest&) {
    if (state_.draining.load()) {
      return json_reply(http::status::service_unavailable, {{"status", "draining"}});
    }
    if (!ready_.load()) {
      return json_reply(http::status::service_unavailable, {{"status", "starting"}});
    }
    return json_reply(http::status::ok,
                      {{"status", "ready"}, {"config_generation", state_.routes.generation()}});
  });
  admin_->handle("/admin/config", [this](const AdminRequest& request) {
    if (request.method() != http::verb::get) {
      return json_reply(http::status::method_not_allowed, {{"error", "use GET"}});
    }
    auto routes = state_.routes.load();
    return json_reply(http::status::ok, config::to_redacted_json(routes->config()));
  });
}

void Server::watch_signals() {
  signals_.async_wait([this](const error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      reload("SIGHUP");
    } else if (draining_) {
      spdlog::warn("second stop signal: exiting without waiting for requests in flight");
      control_.stop();
      return;
    } else {
      spdlog::info("signal {}: draining", signal);
      begin_drain();
    }
    watch_signals();
  });
}

void Server::begin_drain() {
  draining_ = true;
  state_.draining.store(true, std::memory_order_release);
  listener_->stop();
  for (auto& worker : workers_) worker->close_idle_sessions();
  net::co_spawn(control_, drain(), net::detached);
}

net::awaitable<void> Server::drain() {
  auto timeout = state_.routes.load()->config().timeouts.drain;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  net::steady_timer timer(control_);
  while (state_.open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(use_nothrow);
    // Connections that finished a request since the last pass are idle now: close them too.
    for (auto& worker : workers_) worker->close_idle_sessions();
  }
  auto left = state_.open_connections.load();
  if (left > 0) {
    spdlog::warn("drain timeout after {} ms: closing {} connections still open", timeout.count(),
                 left);
  } else {
    spdlog::info("drained: all requests finished");
  }
  admin_->stop();
  control_.stop();
}

int Server::run() {
  if (!reload("startup")) {
    spdlog::error("{}: not starting; fix the errors above (`ficus check --config {}` lists them)",
                  config_file_.string(), config_file_.string());
    return 1;
  }
  auto routes = state_.routes.load();
  const auto& config = routes->config();
  if (auto error = state_.access_log.open(config.access_log.path); !error.empty()) {
    spdlog::error("{}", error);
    return 1;
  }

  for (unsigned i = 0; i < config.threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(i, state_));
  }
  listener_ = std::make_unique<Listener>(control_, workers_, state_);
  admin_ = std::make_unique<AdminServer>(control_, state_);
  register_admin_endpoints();
  if (auto error = listener_->open(config.listen); !error.empty()) {
    spdlog::error("{}", error);
    return 1;
  }
  if (auto error = admin_->open(config.admin.listen); !error.empty()) {
    spdlog::error("admin: {}", error);
    return 1;
  }

  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  watch_signals();
  for (auto& worker : workers_) worker->start();
  listener_->start();
  admin_->start();
  ready_.store(true);
  spdlog::info("ficus serving on {}:{} (admin {}:{}), {} thread(s), {} route(s)",
               config.listen.host, listener_->port(), config.admin.listen.host, admin_->port(),
               config.threads, config.routes.size());

  control_.run();
  for (auto& worker : workers_) worker->stop();
  return 0;
}

}  // namespace ficus::proxy

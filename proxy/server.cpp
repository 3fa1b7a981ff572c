#include "proxy/server.h"

#include <spdlog/spdlog.h>

#include "config/config_loader.h"
#include "flags/file_watcher.h"
#include "flags/flag_store.h"
#include "flags/ofrep.h"
#include "proxy/admin_server.h"
#include "proxy/listener.h"
#include "proxy/metrics/admin_endpoints.h"
#include "proxy/metrics/comparison_window.h"
#include "proxy/metrics/proxy_metrics.h"
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
  note(running.flags.sources != next.flags.sources, "flags.sources");
  note(running.metrics.enabled != next.metrics.enabled, "metrics.enabled");
  return changed;
}

AdminReply to_admin_reply(const metrics::AdminText& text) {
  auto reply = text_reply(static_cast<http::status>(text.status), text.content_type, text.body);
  reply.set(http::field::cache_control, "no-store");
  return reply;
}

}  // namespace

Server::Server(std::filesystem::path config_file)
    : config_file_(std::move(config_file)), control_(1), signals_(control_) {
  state_.chooser = &chooser_;
}

Server::~Server() {
  if (config_watcher_) config_watcher_->stop();
  for (auto& worker : workers_) worker->stop();
  if (flag_store_) flag_store_->stop();
}

bool Server::reload(std::string_view why) {
  auto loaded = config::load_config_file(config_file_);
  if (!loaded.ok()) {
    if (metrics_) metrics_->count_config_reload(false);
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
  if (metrics_) {
    metrics_->count_config_reload(true);
    publish_routes_to_metrics(*loaded.config);
  }
  if (running) spdlog::info("config reloaded ({}), generation {}", why, generation);
  return true;
}

void Server::publish_routes_to_metrics(const config::ProxyConfig& config) {
  std::vector<metrics::RouteInfo> routes;
  std::vector<std::string> names;
  for (const auto& route : config.routes) {
    routes.push_back({route.name, !route.new_upstream.empty()});
    names.push_back(route.name);
  }
  metrics_->set_routes(routes);
  comparison_->set_routes(std::move(names));
}

bool Server::start_flags(const config::ProxyConfig& config) {
  if (config.flags.sources.empty()) {
    flags_ready_.store(true);  // nothing to load: every route goes to old
    return true;
  }
  flag_store_ = std::make_unique<flags::FlagStore>(config.flags.sources);
  flag_store_->on_change([this](const auto&, const auto&) {
    flags_ready_.store(true);
    metrics_->set_flags_generation(flag_store_->generation());
    spdlog::info("flags loaded, generation {}", flag_store_->generation());
  });
  flag_store_->on_reload_failed([this](const std::vector<std::string>& errors) {
    metrics_->count_flags_reload_error();
    spdlog::error("flag reload rejected, the last good flags keep serving:");
    for (const auto& error : errors) spdlog::error("  {}", error);
  });
  auto errors = flag_store_->start();
  if (!errors.empty()) {
    // Serve anyway: every flagged route goes to old (fail safe) and /readyz says why, until the
    // watcher sees a valid file. Refusing to start would turn a bad flag edit into an outage.
    spdlog::error("flags not loaded; flagged routes send everything to old until fixed:");
    for (const auto& error : errors) spdlog::error("  {}", error);
    return false;
  }
  flags_ready_.store(true);
  metrics_->set_flags_generation(flag_store_->generation());
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
    if (!flags_ready_.load()) {
      return json_reply(http::status::service_unavailable,
                        {{"status", "flags not loaded"},
                         {"error", flag_store_ ? flag_store_->last_error() : ""}});
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
  admin_->handle("/metrics", [this](const AdminRequest&) {
    return to_admin_reply(metrics::metrics_endpoint(*metrics_));
  });
  admin_->handle("/admin/compare", [this](const AdminRequest& request) {
    return to_admin_reply(metrics::compare_endpoint(*comparison_, request.target()));
  });
  admin_->handle("/ofrep/v1/", [this](const AdminRequest& request) {
    static const flags::FlagSet kNoFlags;
    auto set = flag_store_ ? flag_store_->current() : nullptr;
    auto reply = flags::handle_ofrep(
        set ? *set : kNoFlags, flag_store_ ? flag_store_->generation() : 0, request.method_string(),
        request.target(), request.body(), request[http::field::if_none_match]);
    // No Cache-Control here: bulk evaluation is revalidated with ETag / If-None-Match.
    auto out = text_reply(static_cast<http::status>(reply.status),
                          reply.body.empty() ? "" : "application/json", std::move(reply.body));
    if (!reply.etag.empty()) out.set(http::field::etag, reply.etag);
    if (!reply.allow.empty()) out.set(http::field::allow, reply.allow);
    return out;
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
  metrics_ = std::make_unique<metrics::ProxyMetrics>(config.threads, FICUS_VERSION,
                                                     config.metrics.enabled);
  comparison_ = std::make_unique<metrics::ComparisonWindow>(
      config.threads, metrics::ComparisonWindow::kDefaultCapacity, config.metrics.enabled);
  state_.metrics = metrics_.get();
  state_.comparison = comparison_.get();
  metrics_->count_config_reload(true);
  publish_routes_to_metrics(config);
  start_flags(config);
  chooser_ = TargetChooser(flag_store_.get(), metrics_.get());

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

  ServerParts parts{*admin_, flag_store_.get(), state_.routes, *metrics_, control_, *comparison_};
  for (auto& extension : extensions_) extension(parts);

  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  watch_signals();
  for (auto& worker : workers_) worker->start();
  listener_->start();
  admin_->start();
  // Edits to the config file reload it like SIGHUP; the reload runs on the control thread.
  config_watcher_ =
      std::make_unique<flags::FileWatcher>(std::vector<std::filesystem::path>{config_file_},
                                           [this](const std::vector<std::filesystem::path>&) {
                                             net::post(control_, [this] {
                                               if (!draining_) reload("file changed");
                                             });
                                           });
  config_watcher_->start();
  ready_.store(true);
  spdlog::info("ficus serving on {}:{} (admin {}:{}), {} thread(s), {} route(s)",
               config.listen.host, listener_->port(), config.admin.listen.host, admin_->port(),
               config.threads, config.routes.size());

  control_.run();
  config_watcher_->stop();
  for (auto& worker : workers_) worker->stop();
  if (flag_store_) flag_store_->stop();
  return 0;
}

}  // namespace ficus::proxy

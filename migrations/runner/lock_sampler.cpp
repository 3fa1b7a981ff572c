#include "migrations/runner/lock_sampler.h"

#include <cctype>

#include <fmt/format.h>

namespace ficus::migrations {
namespace {

using Clock = std::chrono::steady_clock;

// pg_locks spells modes "AccessExclusiveLock"; the docs and lint messages say ACCESS EXCLUSIVE.
std::string mode_name(std::string mode) {
  if (mode.ends_with("Lock")) mode.resize(mode.size() - 4);
  std::string out;
  for (char c : mode) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out += ' ';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// Relation locks of the backend, without the catalogs and ficus's own history tables.
constexpr const char* kHeldSql =
    "SELECT l.mode, n.nspname || '.' || c.relname FROM pg_locks l JOIN pg_class c ON c.oid = "
    "l.relation JOIN pg_namespace n ON n.oid = c.relnamespace WHERE l.pid = $1::int AND "
    "l.granted AND l.locktype = 'relation' AND n.nspname NOT IN ('pg_catalog', "
    "'information_schema', 'pg_toast') AND c.relname NOT LIKE 'ficus\\_%'";

constexpr const char* kWaitSql =
    "SELECT l.mode, coalesce(n.nspname || '.' || c.relname, l.locktype), b.pid, "
    "coalesce(b.application_name, ''), coalesce(b.state, ''), left(coalesce(b.query, ''), 120) "
    "FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON "
    "n.oid = c.relnamespace CROSS JOIN LATERAL unnest(pg_blocking_pids($1::int)) AS bp(pid) "
    "JOIN pg_stat_activity b ON b.pid = bp.pid WHERE l.pid = $1::int AND NOT l.granted "
    "ORDER BY b.pid LIMIT 1";

}  // namespace

std::string describe(const LockWait& w) {
  return fmt::format("{} on {} held by backend {} ({}, {}: {})", mode_name(w.mode), w.relation,
                     w.blocking_pid, w.blocking_application.empty() ? "?" : w.blocking_application,
                     w.blocking_state, w.blocking_query);
}

LockSampler::LockSampler(const std::string& db_url, std::string backend_pid,
                         std::chrono::milliseconds interval)
    : db_(open_driver(db_url)), pid_(std::move(backend_pid)), interval_(interval) {
  db_->execute("SET application_name = 'ficus migrate lock view'");
}

LockSampler::~LockSampler() {
  stop();
}

void LockSampler::start() {
  std::lock_guard lock(mutex_);
  if (running_) return;
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void LockSampler::stop() {
  {
    std::lock_guard lock(mutex_);
    running_ = false;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LockSampler::run() {
  std::unique_lock lock(mutex_);
  while (running_) {
    lock.unlock();
    sample_now();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return !running_; });
  }
}

void LockSampler::sample_now() {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  try {
    for (const Row& r : db_->query(kHeldSql, {pid_})) {
      std::string mode = mode_name(r[0].value_or(""));
      std::string relation = r[1].value_or("");
      bool known = false;
      for (Seen& s : seen_) {
        if (s.mode == mode && s.relation == relation) {
          s.last = now;
          known = true;
        }
      }
      if (!known) seen_.push_back({mode, relation, now, now});
    }
    auto rows = db_->query(kWaitSql, {pid_});
    if (rows.empty()) {
      wait_.reset();
      return;
    }
    const Row& r = rows[0];
    LockWait w{r[0].value_or(""),
               r[1].value_or(""),
               r[2].value_or(""),
               r[3].value_or(""),
               r[4].value_or(""),
               r[5].value_or(""),
               0};
    if (!wait_ || wait_->blocking_pid != w.blocking_pid || wait_->relation != w.relation)
      wait_since_ = now;
    w.waiting_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - wait_since_).count();
    wait_ = w;
  } catch (const MigrationError&) {
    // A lost sample only makes the view less precise; the migration itself is unaffected.
  }
}

void LockSampler::reset() {
  std::lock_guard lock(mutex_);
  seen_.clear();
  wait_.reset();
}

std::vector<HeldLock> LockSampler::held() const {
  std::lock_guard lock(mutex_);
  std::vector<HeldLock> out;
  for (const Seen& s : seen_)
    out.push_back(
        {s.mode, s.relation,
         std::chrono::duration_cast<std::chrono::milliseconds>(s.last - s.first).count()});
  return out;
}

std::optional<LockWait> LockSampler::current_wait() const {
  std::lock_guard lock(mutex_);
  return wait_;
}

}  // namespace ficus::migrations

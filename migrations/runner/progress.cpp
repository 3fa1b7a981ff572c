#include "migrations/runner/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "migrations/runner/statements.h"

namespace ficus::migrations {
namespace {

using Clock = std::chrono::steady_clock;

// Columns of the terminal on stdout; a longer status line would wrap and \r would then redraw
// only its last row.
std::size_t terminal_width() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 10) return size.ws_col - 1;
  return 119;
}

std::string_view direction_name(Direction d) {
  return d == Direction::kUp ? "up" : "down";
}

}  // namespace

ProgressReporter::ProgressReporter(std::ostream& out, Mode mode, LockSampler* sampler)
    : out_(out), mode_(mode), sampler_(sampler) {}

ProgressReporter::~ProgressReporter() {
  stop_ticker();
  if (sampler_) sampler_->stop();
}

void ProgressReporter::emit(const std::string& line) {
  if (line_drawn_) {
    out_ << "\r\033[K";
    line_drawn_ = false;
  }
  out_ << line << '\n' << std::flush;
}

void ProgressReporter::migration_started(const MigrationFile& file, Direction direction) {
  if (sampler_) {
    sampler_->reset();
    sampler_->start();
  }
  std::lock_guard lock(mutex_);
  file_ = file.path;
  version_ = file.version;
  reported_wait_.clear();
  if (mode_ == Mode::kJson) {
    emit(nlohmann::json{{"event", "migration_start"},
                        {"version", file.version},
                        {"name", file.name},
                        {"file", file.path},
                        {"direction", direction_name(direction)}}
             .dump());
  } else if (mode_ == Mode::kLogLines) {
    emit(
        fmt::format("{} {}", direction == Direction::kUp ? "applying" : "rolling back", file.path));
  }
  ticking_ = true;
  ticker_ = std::thread([this] { tick(); });
}

void ProgressReporter::statement_started(const MigrationFile& file, const Statement& statement) {
  std::lock_guard lock(mutex_);
  line_ = statement.line;
  statement_ = statement_summary(statement.text, 100);
  statement_started_ = Clock::now();
  in_statement_ = true;
  if (mode_ == Mode::kJson) {
    emit(nlohmann::json{{"event", "statement_start"},
                        {"file", file.path},
                        {"line", statement.line},
                        {"statement", statement_}}
             .dump());
  } else if (mode_ == Mode::kLogLines) {
    emit(fmt::format("{}:{}: {}", file.path, statement.line, statement_));
  }
}

void ProgressReporter::statement_finished(const MigrationFile& file, const Statement& statement,
                                          std::int64_t rows, std::int64_t elapsed_ms) {
  std::lock_guard lock(mutex_);
  in_statement_ = false;
  if (line_drawn_) {
    // Cleared now, so the runner's own "applied ..." line starts on an empty line.
    out_ << "\r\033[K" << std::flush;
    line_drawn_ = false;
  }
  if (mode_ == Mode::kJson)
    emit(nlohmann::json{{"event", "statement_done"},
                        {"file", file.path},
                        {"line", statement.line},
                        {"rows", rows},
                        {"ms", elapsed_ms}}
             .dump());
}

void ProgressReporter::migration_finished(const MigrationFile& file, Direction direction,
                                          std::int64_t elapsed_ms, const std::string& error) {
  stop_ticker();
  if (sampler_) sampler_->stop();
  std::lock_guard lock(mutex_);
  in_statement_ = false;
  if (mode_ == Mode::kJson) {
    emit(nlohmann::json{{"event", "migration_done"},
                        {"version", file.version},
                        {"direction", direction_name(direction)},
                        {"ms", elapsed_ms},
                        {"ok", error.empty()},
                        {"error", error}}
             .dump());
  } else if (line_drawn_) {
    out_ << "\r\033[K" << std::flush;
    line_drawn_ = false;
  }
}

void ProgressReporter::stop_ticker() {
  {
    std::lock_guard lock(mutex_);
    ticking_ = false;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void ProgressReporter::tick() {
  auto interval = std::chrono::milliseconds(mode_ == Mode::kStatusLine ? 200 : 50);
  std::unique_lock lock(mutex_);
  while (ticking_) {
    wake_.wait_for(lock, interval, [this] { return !ticking_; });
    if (!ticking_ || !in_statement_) continue;
    lock.unlock();
    std::optional<LockWait> wait = sampler_ ? sampler_->current_wait() : std::nullopt;
    lock.lock();
    if (!ticking_ || !in_statement_) continue;
    double seconds = std::chrono::duration<double>(Clock::now() - statement_started_).count();
    if (mode_ == Mode::kStatusLine) {
      std::string status = fmt::format("{}:{} {:.50}  {:.1f}s", file_, line_, statement_, seconds);
      if (wait)
        status += fmt::format("  WAITING {:.1f}s for {}",
                              static_cast<double>(wait->waiting_ms) / 1000, describe(*wait));
      if (status.size() > terminal_width()) status.resize(terminal_width());
      out_ << "\r\033[K" << status << std::flush;
      line_drawn_ = true;
      continue;
    }
    if (!wait || reported_wait_ == wait->blocking_pid + wait->relation) continue;
    reported_wait_ = wait->blocking_pid + wait->relation;
    if (mode_ == Mode::kJson) {
      emit(nlohmann::json{{"event", "lock_wait"},
                          {"file", file_},
                          {"line", line_},
                          {"mode", wait->mode},
                          {"relation", wait->relation},
                          {"blocking_pid", std::stol(wait->blocking_pid)},
                          {"blocking_application", wait->blocking_application},
                          {"blocking_state", wait->blocking_state},
                          {"blocking_query", wait->blocking_query},
                          {"waiting_ms", wait->waiting_ms}}
               .dump());
    } else {
      emit(fmt::format("{}:{}: waiting for {}", file_, line_, describe(*wait)));
    }
  }
}

}  // namespace ficus::migrations

#include "flags/flag_store.h"

#include <thread>

namespace ficus::flags {
namespace {

std::vector<std::filesystem::path> watched_files(const std::vector<std::string>& sources) {
  std::vector<std::filesystem::path> files;
  for (const std::string& source : sources) {
    if (auto path = source_path(source); path && !path->empty()) files.emplace_back(*path);
  }
  return files;
}

}  // namespace

FlagStore::FlagStore(std::vector<std::string> sources) : FlagStore(std::move(sources), Options{}) {}

FlagStore::FlagStore(std::vector<std::string> sources, Options options)
    : sources_(std::move(sources)), options_(options) {}

FlagStore::~FlagStore() {
  stop();
}

std::vector<std::string> FlagStore::start() {
  auto errors = reload(/*retry=*/false);
  if (options_.watch && !watcher_) {
    watcher_ = std::make_unique<FileWatcher>(
        watched_files(sources_), [this](const auto&) { reload(/*retry=*/true); }, options_.watcher);
    watcher_->start();
  }
  return errors;
}

void FlagStore::stop() {
  if (watcher_) watcher_->stop();
}

std::vector<std::string> FlagStore::reload_now() {
  return reload(/*retry=*/false);
}

std::string FlagStore::last_error() const {
  std::lock_guard lock(mutex_);
  std::string text;
  for (const std::string& e : last_errors_) text += (text.empty() ? "" : "\n") + e;
  return text;
}

void FlagStore::on_change(ChangeListener listener) {
  std::lock_guard lock(mutex_);
  change_listeners_.push_back(std::move(listener));
}

void FlagStore::on_reload_failed(ErrorListener listener) {
  std::lock_guard lock(mutex_);
  error_listeners_.push_back(std::move(listener));
}

std::vector<std::string> FlagStore::reload(bool retry) {
  std::lock_guard reload_lock(reload_mutex_);
  const auto give_up_at = std::chrono::steady_clock::now() + options_.retry_for;
  FlagSetLoad reading = load_flag_sources(sources_, options_.parse);
  while (retry && !reading.errors.empty() && std::chrono::steady_clock::now() < give_up_at) {
    // A writer may still be writing, or an editor between unlink and rename: look again.
    std::this_thread::sleep_for(options_.retry_every);
    reading = load_flag_sources(sources_, options_.parse);
  }
  std::vector<std::string> errors;
  for (const FlagError& e : reading.errors) errors.push_back(e.to_string());
  std::vector<ChangeListener> change_listeners;
  std::vector<ErrorListener> error_listeners;
  {
    std::lock_guard lock(mutex_);
    last_errors_ = errors;
    change_listeners = change_listeners_;
    error_listeners = error_listeners_;
  }
  if (!errors.empty()) {
    for (const auto& listener : error_listeners) listener(errors);
    return errors;
  }
  if (reading.texts == last_texts_ && generation() > 0) return {};  // nothing changed
  last_texts_ = std::move(reading.texts);
  std::shared_ptr<const FlagSet> before = snapshot_.load();
  snapshot_.store(reading.set);
  for (const auto& listener : change_listeners) listener(before, reading.set);
  return {};
}
}  // namespace ficus::flags

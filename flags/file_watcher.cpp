#include "flags/file_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace ficus::flags {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kDirectoryEvents =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB;

}  // namespace

FileWatcher::FileWatcher(std::vector<std::filesystem::path> files, Callback on_change)
    : FileWatcher(std::move(files), std::move(on_change), Options{}) {}

FileWatcher::FileWatcher(std::vector<std::filesystem::path> files, Callback on_change,
                         Options options)
    : on_change_(std::move(on_change)), options_(options) {
  for (auto& file : files) files_.push_back(std::filesystem::absolute(file).lexically_normal());
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (!options_.use_inotify) return;
  inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (inotify_fd_ < 0) return;
  for (const auto& file : files_) {
    const auto dir = file.parent_path();
    const bool known = std::any_of(watched_dirs_.begin(), watched_dirs_.end(),
                                   [&](const auto& w) { return w.second == dir; });
    if (known) continue;
    const int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), kDirectoryEvents);
    if (wd >= 0) watched_dirs_.emplace_back(wd, dir);  // a missing dir is left to the stat poll
  }
}

FileWatcher::~FileWatcher() {
  stop();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void FileWatcher::start() {
  if (thread_.joinable()) return;
  signatures_.clear();
  for (const auto& file : files_) signatures_.push_back(stat_file(file));
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void FileWatcher::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
}

FileWatcher::Signature FileWatcher::stat_file(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};
  Signature s;
  s.exists = true;
  s.device = static_cast<std::uint64_t>(st.st_dev);
  s.inode = static_cast<std::uint64_t>(st.st_ino);
  s.size = static_cast<std::uint64_t>(st.st_size);
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  return s;
}

void FileWatcher::run() {
  std::vector<bool> pending(files_.size(), false);
  std::optional<Clock::time_point> fire_at;  // when the pending changes have settled
  auto next_poll = Clock::now() + options_.poll_interval;

  auto mark = [&](std::size_t i) {
    pending[i] = true;
    fire_at = Clock::now() + options_.settle;  // every new event restarts the quiet period
  };
  auto check_signatures = [&] {
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (stat_file(files_[i]) != signatures_[i]) mark(i);
    }
  };

  while (!stopping_) {
    const auto now = Clock::now();
    const auto wake_at = fire_at ? std::min(*fire_at, next_poll) : next_poll;
    const auto timeout_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(wake_at - now).count();
    std::array<pollfd, 2> fds{{{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}}};
    const nfds_t count = inotify_fd_ >= 0 ? 2 : 1;
    ::poll(fds.data(), count, static_cast<int>(std::max<std::int64_t>(timeout_ms, 0) + 1));
    if (stopping_) break;

    if (count == 2 && (fds[1].revents & POLLIN)) {
      alignas(inotify_event) std::array<char, 16 * 1024> buffer;
      bool other_entry_changed = false;
      ssize_t n;
      while ((n = ::read(inotify_fd_, buffer.data(), buffer.size())) > 0) {
        for (char* p = buffer.data(); p < buffer.data() + n;) {
          const auto* event = reinterpret_cast<const inotify_event*>(p);
          p += sizeof(inotify_event) + event->len;
          if (event->mask & IN_Q_OVERFLOW) {
            other_entry_changed = true;
            continue;
          }
          const auto dir = std::find_if(watched_dirs_.begin(), watched_dirs_.end(),
                                        [&](const auto& w) { return w.first == event->wd; });
          if (dir == watched_dirs_.end() || event->len == 0) continue;
          const auto changed = dir->second / event->name;
          const auto file = std::find(files_.begin(), files_.end(), changed);
          if (file != files_.end()) {
            mark(static_cast<std::size_t>(file - files_.begin()));
          } else {
            other_entry_changed = true;  // e.g. a symlink swap of "..data" (Kubernetes ConfigMaps)
          }
        }
      }
      if (other_entry_changed) check_signatures();
    }

    if (Clock::now() >= next_poll) {
      check_signatures();
      next_poll = Clock::now() + options_.poll_interval;
    }

    if (fire_at && Clock::now() >= *fire_at) {
      std::vector<std::filesystem::path> changed;
      for (std::size_t i = 0; i < files_.size(); ++i) {
        signatures_[i] = stat_file(files_[i]);
        if (pending[i]) changed.push_back(files_[i]);
        pending[i] = false;
      }
      fire_at.reset();
      if (!changed.empty() && !stopping_) on_change_(changed);
    }
  }
}

}  // namespace ficus::flags

#include "flags/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "flags/file_descriptor.h"

namespace ficus::flags {
namespace {

namespace fs = std::filesystem;

std::string errno_text() {
  return std::strerror(errno);
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::string atomic_temp_prefix(const fs::path& file) {
  return "." + file.filename().string() + ".ficus-tmp-";
}

std::string replace_file_atomically(const fs::path& file, std::string_view text,
                                    mode_t new_file_mode) {
  static std::atomic<unsigned> counter{0};
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  const fs::path temp = dir / (atomic_temp_prefix(file) + std::to_string(::getpid()) + "-" +
                               std::to_string(counter++));
  struct stat original {};
  const mode_t mode =
      ::stat(file.c_str(), &original) == 0 ? (original.st_mode & 07777) : new_file_mode;
  FileDescriptor out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (out.get() < 0) return "cannot create " + temp.string() + ": " + errno_text();
  auto discard = [&](std::string why) {
    ::close(out.release());
    ::unlink(temp.c_str());
    return why;
  };
  // The umask may have narrowed `mode`; the file keeps the permissions it had.
  if (::fchmod(out.get(), mode) != 0) return discard("cannot chmod " + temp.string());
  if (!write_all(out.get(), text))
    return discard("cannot write " + temp.string() + ": " + errno_text());
  if (::fsync(out.get()) != 0)
    return discard("cannot fsync " + temp.string() + ": " + errno_text());
  if (::close(out.release()) != 0) {
    ::unlink(temp.c_str());
    return "cannot close " + temp.string() + ": " + errno_text();
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const std::string why =
        "cannot rename " + temp.string() + " to " + file.string() + ": " + errno_text();
    ::unlink(temp.c_str());
    return why;
  }
  FileDescriptor folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (folder.get() < 0 || ::fsync(folder.get()) != 0) {
    return "renamed, but cannot fsync folder " + dir.string() + ": " + errno_text();
  }
  return {};
}

}  // namespace ficus::flags

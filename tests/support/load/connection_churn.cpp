#include "tests/support/load/connection_churn.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace ficus::testing {

ChurnResult open_and_drop_connections(std::uint16_t port, std::size_t count,
                                      std::chrono::milliseconds spread) {
  ChurnResult result;
  auto start = std::chrono::steady_clock::now();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  for (std::size_t i = 0; i < count; ++i) {
    if (spread.count() > 0) {
      std::this_thread::sleep_until(start + spread * i / count);
    }
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ++result.connect_failures;
      if (fd >= 0) ::close(fd);
      continue;
    }
    ++result.opened;
    switch (i % 4) {
      case 0:  // clean close
        break;
      case 1: {  // half a request line, then close
        static constexpr char kPartial[] = "GET /orders HT";
        [[maybe_unused]] auto sent = ::send(fd, kPartial, sizeof kPartial - 1, MSG_NOSIGNAL);
        break;
      }
      default: {  // reset
        linger abort{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        break;
      }
    }
    ::close(fd);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace ficus::testing

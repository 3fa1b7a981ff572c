#include "proxy/error_reply.h"

#include <nlohmann/json.hpp>

namespace ficus::proxy {

http::response<http::string_body> make_error_reply(http::status status, std::string_view error,
                                                   std::string_view route, std::string_view target,
                                                   unsigned version, bool keep_alive) {
  nlohmann::json body = {{"error", error}};
  body["route"] = route.empty() ? nlohmann::json(nullptr) : nlohmann::json(route);
  body["target"] = target.empty() ? nlohmann::json(nullptr) : nlohmann::json(target);
  http::response<http::string_body> reply{status, version};
  reply.set(http::field::server, "ficus");
  reply.set(http::field::content_type, "application/json");
  reply.set(http::field::cache_control, "no-store");
  reply.keep_alive(keep_alive);
  reply.body() = body.dump() + "\n";
  reply.prepare_payload();
  return reply;
}

}  // namespace ficus::proxy

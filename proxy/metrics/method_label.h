// The `method` label of ficus_requests_total: one of a fixed set, so a client cannot create new
// time series by inventing methods.
//
//   std::size_t i = method_index("PROPFIND");   // kOtherMethod
//   std::string_view label = kMethodLabels[i];  // "other"
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace ficus::proxy::metrics {

inline constexpr std::array<std::string_view, 8> kMethodLabels = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"};
inline constexpr std::size_t kOtherMethod = kMethodLabels.size() - 1;

// Index into kMethodLabels. Exact, case-sensitive match (methods are case-sensitive, RFC 9110 9.1);
// everything else, "get" included, is kOtherMethod.
std::size_t method_index(std::string_view method) noexcept;

}  // namespace ficus::proxy::metrics

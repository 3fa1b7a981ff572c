// Hiding secrets in configuration that is shown back to people (GET /admin/config, logs).
//
//   redact_url_credentials("http://app:s3cret@db:5432/x");  // "http://app:<redacted>@db:5432/x"
//   redact_url_credentials("file:/etc/ficus/flags.json");    // unchanged
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ficus::config {

inline constexpr std::string_view kRedacted = "<redacted>";

// Replaces the password of a URL ("scheme://user:PASSWORD@host") with kRedacted; anything that is
// not such a URL is returned unchanged.
std::string redact_url_credentials(std::string_view text);

// A URL ("scheme://user:PASSWORD@host...") split into the URL without its password
// ("scheme://user@host...") and the password, percent-decoded. nullopt when `text` is not such a
// URL.
struct UrlWithoutPassword {
  std::string url;
  std::string password;
};
std::optional<UrlWithoutPassword> split_url_password(std::string_view text);

}  // namespace ficus::config

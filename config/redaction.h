// Hiding secrets in configuration that is shown back to people (GET /admin/config, logs).
//
//   redact_url_credentials("http://app:s3cret@db:5432/x");  // "http://app:<redacted>@db:5432/x"
//   redact_url_credentials("file:/etc/ficus/flags.json");    // unchanged
#pragma once

#include <string>
#include <string_view>

namespace ficus::config {

inline constexpr std::string_view kRedacted = "<redacted>";

// Replaces the password of a URL ("scheme://user:PASSWORD@host") with kRedacted; anything that is
// not such a URL is returned unchanged.
std::string redact_url_credentials(std::string_view text);

}  // namespace ficus::config

// Character rules for the names a config file contains: route and upstream names, HTTP header and
// cookie names, environment variable names. Kept in one place so the error messages and the
// documentation agree.
//
//   if (!is_config_name(name)) errors.add(path, std::string(kConfigNameRule));
#pragma once

#include <string_view>

namespace ficus::config {

// Route and upstream names end up in metric labels and log lines: [A-Za-z0-9_.-]+.
bool is_config_name(std::string_view name);
inline constexpr std::string_view kConfigNameRule = "use only letters, digits, '_', '.' and '-'";

// What one label of a host name may contain: letters, digits, '-' and '_' (seen in internal DNS).
bool is_host_label_char(char c);

// RFC 9110 token (header field names, cookie names).
bool is_http_token(std::string_view name);

// POSIX-portable environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool is_env_var_name(std::string_view name);

}  // namespace ficus::config

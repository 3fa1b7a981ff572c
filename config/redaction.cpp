#include "config/redaction.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>

namespace ficus::config {

std::string redact_url_credentials(std::string_view text) {
  auto url = boost::urls::parse_uri(text);
  if (!url || !url->has_password()) return std::string(text);
  // The view's password points into `text`, so its offset there is where to cut.
  const std::string_view password = url->encoded_password();
  const auto offset = static_cast<std::size_t>(password.data() - text.data());
  std::string redacted(text);
  redacted.replace(offset, password.size(), kRedacted);
  return redacted;
}

std::optional<UrlWithoutPassword> split_url_password(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed || !parsed->has_password()) return std::nullopt;
  boost::urls::url url(*parsed);
  std::string password = url.password();
  url.remove_password();
  return UrlWithoutPassword{std::string(url.buffer()), std::move(password)};
}

}  // namespace ficus::config

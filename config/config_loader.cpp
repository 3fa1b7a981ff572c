#include "config/config_loader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "config/config_schema.h"
#include "config/json_document.h"
#include "config/json_reader.h"

namespace ficus::config {

LoadResult load_config_file(const std::filesystem::path& file) {
  auto failure = [&](std::string_view reason) {
    ErrorList errors(file.string());
    errors.add("", fmt::format("cannot read the config file: {}; check the path (a relative path "
                               "starts from the working directory)",
                               reason));
    return LoadResult{nullptr, errors.take()};
  };
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored)) return failure("it is a folder");
  std::ifstream in(file, std::ios::binary);
  if (!in) return failure(std::strerror(errno));
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return failure(std::strerror(errno));
  return parse_config(text, file);
}

LoadResult parse_config(std::string_view json_text, const std::filesystem::path& file) {
  ErrorList errors(file.string());
  std::optional<nlohmann::json> document = parse_json_document(json_text, errors);
  if (!document) return LoadResult{nullptr, errors.take()};

  // Text that came from no file (empty name) resolves relative paths against the working folder.
  const std::filesystem::path absolute_file =
      file.empty() ? file : std::filesystem::absolute(file).lexically_normal();
  const std::filesystem::path base_dir =
      file.empty() ? std::filesystem::current_path() : absolute_file.parent_path();
  ProxyConfig config = read_proxy_config(*document, base_dir, errors);
  if (!errors.empty()) return LoadResult{nullptr, errors.take()};
  config.source_file = absolute_file;
  return LoadResult{std::make_shared<const ProxyConfig>(std::move(config)), {}};
}

}  // namespace ficus::config

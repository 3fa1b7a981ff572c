// libFuzzer target: a flagd flag definition from arbitrary bytes, parsed strictly (as `ficus
// serve` loads it) and leniently (as flagd would), then every flag evaluated against a few
// contexts: none, a targeting key only, request attributes, and a JSON context as OFREP sends.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "flags/evaluator.h"
#include "flags/flag_set.h"

namespace {

using ficus::flags::AttributeResolver;
using ficus::flags::EvalContext;

// What the proxy's RequestAttributes answers for a typical request.
class FixedAttributes final : public AttributeResolver {
 public:
  std::optional<std::string_view> attribute(std::string_view path) const override {
    if (path == "method") return "GET";
    if (path == "path") return "/orders/7";
    if (path == "host") return "shop.example.com";
    if (path == "client_ip") return "10.1.2.3";
    if (path == "headers.x-user-id") return "alice";
    if (path == "cookies.plan") return "pro";
    return std::nullopt;
  }
};

const nlohmann::json& json_context() {
  static const nlohmann::json context = {{"targetingKey", "user-42"},
                                         {"email", "bob@example.com"},
                                         {"version", "1.2.3"},
                                         {"age", 42},
                                         {"beta", true},
                                         {"tags", {"a", "b"}}};
  return context;
}

void evaluate_all(const ficus::flags::FlagSet& set) {
  static const FixedAttributes attributes;
  std::vector<EvalContext> contexts;
  contexts.emplace_back();
  contexts.emplace_back("user-42");
  contexts.emplace_back("", &attributes);
  contexts.emplace_back("user-7", &attributes);
  contexts.push_back(EvalContext::from_json(json_context()));
  for (auto& context : contexts) context.set_timestamp(1'700'000'000);
  for (const auto& flag : set.flags()) {
    for (const auto& context : contexts) {
      auto resolution = ficus::flags::evaluate(set, flag.key, context);
      if (resolution.value != nullptr) (void)resolution.value->dump();
      (void)ficus::flags::evaluate(set, flag.key, context, ficus::flags::ValueType::string);
    }
  }
  (void)ficus::flags::evaluate(set, "no-such-flag", contexts.front());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool strict : {true, false}) {
    auto parsed = ficus::flags::parse_flag_source(text, "fuzz.json", {.strict = strict});
    for (const auto& error : parsed.errors) (void)error.to_string();
    if (!parsed.source) continue;
    std::vector<ficus::flags::ParsedSource> sources;
    sources.push_back(std::move(*parsed.source));
    evaluate_all(ficus::flags::FlagSet(std::move(sources)));
  }
  return 0;
}

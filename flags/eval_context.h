// EvalContext: what a flag's targeting rule may read, built per request without JSON.
//
// The proxy builds one per request from a targeting key and an AttributeResolver that answers
// `var` paths ("method", "path", "host", "client_ip", "headers.<name>", "cookies.<name>")
// straight from the parsed request, so nothing is copied and only the attributes a rule reads
// are looked at. OFREP and the CLI build one from a JSON context object instead.
//
//   struct RequestAttributes : ficus::flags::AttributeResolver {
//     std::optional<std::string_view> attribute(std::string_view path) const override;
//   };
//   RequestAttributes attributes{...};
//   ficus::flags::EvalContext context("user-42", &attributes);    // per request, no allocation
//
//   nlohmann::json body = nlohmann::json::parse(R"({"targetingKey": "user-42", "plan": "pro"})");
//   auto from_ofrep = ficus::flags::EvalContext::from_json(body);                  // `body` must
//   outlive it
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace ficus::flags {

// Answers a JSON Logic `var` path with a string, or nullopt when the attribute is absent.
// The returned view must stay valid while the evaluation runs. Called from the evaluating
// thread only, so implementations need no locking of their own.
class AttributeResolver {
 public:
  virtual ~AttributeResolver() = default;
  virtual std::optional<std::string_view> attribute(std::string_view dotted_path) const = 0;
};

class EvalContext {
 public:
  // No targeting key, no attributes.
  EvalContext() = default;
  // Request context: `targeting_key` answers `targetingKey`; everything else asks `attributes`
  // (which may be null). Both must outlive the context.
  explicit EvalContext(std::optional<std::string_view> targeting_key,
                       const AttributeResolver* attributes = nullptr)
      : targeting_key_(targeting_key), attributes_(attributes) {}
  // JSON context (OFREP, CLI): a JSON object that must outlive the context. Anything else is
  // treated as an empty context; OFREP rejects non-objects before getting here. A named
  // factory, because nlohmann::json converts implicitly from a string.
  static EvalContext from_json(const nlohmann::json& context);

  // The targeting key as `fractional` uses it: present only when it is a string.
  std::optional<std::string_view> targeting_key() const { return targeting_key_; }
  const AttributeResolver* attributes() const { return attributes_; }
  const nlohmann::json* json() const { return json_; }

  // Fixes `$flagd.timestamp` (unix seconds); otherwise the clock is read when a rule asks.
  void set_timestamp(std::int64_t unix_seconds) { timestamp_ = unix_seconds; }
  std::int64_t timestamp() const;

 private:
  std::optional<std::string_view> targeting_key_;
  const AttributeResolver* attributes_ = nullptr;
  const nlohmann::json* json_ = nullptr;
  std::optional<std::int64_t> timestamp_;
};

}  // namespace ficus::flags

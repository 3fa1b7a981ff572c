// TargetChooser: decides old or new for one request on one route.
//
// Precedence (docs/traffic-split.md): kill switch > override > pin > flag.
//  - kill switch: the route's flag is DISABLED -> old, whatever else the request says;
//  - override: a configured header/cookie `X-Ficus-Target: new|old` (with a secret when
//  configured);
//  - pin: a client once served by new carries `<pin_cookie>=new` and stays on new;
//  - flag: the route's flag, evaluated with the route's bucketing key as targetingKey and the
//  request
//    attributes for targeting rules. Value "new"/true -> new, "old"/false -> old.
// Anything that cannot be decided (no flag store, flag missing, error, unexpected value) goes to
// old: the fail-safe target, counted in metrics and logged once per flag and reason.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/proxy_config.h"
#include "proxy/asio.h"
#include "proxy/request_attributes.h"
#include "proxy/request_context.h"

namespace ficus::flags {
class FlagStore;
class FlagSet;
}  // namespace ficus::flags
namespace ficus::proxy::metrics {
class ProxyMetrics;
}

namespace ficus::proxy {

struct TargetChoice {
  Target target = Target::old_target;
  std::string_view reason;  // "no-flag" | "killed" | "override" | "pin" | "flag" | "fail-safe"
  std::string_view variant;
};

class TargetChooser {
 public:
  TargetChooser() = default;
  TargetChooser(const flags::FlagStore* store, metrics::ProxyMetrics* metrics)
      : store_(store), metrics_(metrics) {}

  // `random` seeds the key for requests without one (bucket_by "random" or every source absent).
  // `flags`: the live flag set as the calling worker sees it (Worker::flags()); null loads it from
  // the store.
  TargetChoice choose(std::size_t worker, const config::RouteConfig& route,
                      const RequestAttributes& request, std::uint64_t random,
                      const flags::FlagSet* flags = nullptr) const;

  const flags::FlagStore* store() const { return store_; }

 private:
  const flags::FlagStore* store_ = nullptr;
  metrics::ProxyMetrics* metrics_ = nullptr;
};

// The bucketing key for `route` from its bucket_by sources, in order. Random keys are written into
// `storage`, which must outlive the returned view.
std::string_view bucket_key(const std::vector<config::BucketSource>& sources,
                            const RequestAttributes& request, std::uint64_t random,
                            std::string& storage);

}  // namespace ficus::proxy

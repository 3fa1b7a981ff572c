// Shared setup for end-to-end proxy tests: two real upstreams ("old" and "new") on loopback and a
// config builder pointing routes at them.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "tests/integration/proxy/http_client.h"
#include "tests/integration/proxy/proxy_process.h"
#include "tests/support/upstream/test_upstream.h"

namespace ficus::testing {

class ProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_upstream_ = std::make_unique<TestUpstream>("old");
    new_upstream_ = std::make_unique<TestUpstream>("new");
    old_upstream_->start();
    new_upstream_->start();
  }

  // A config with upstreams "legacy" (old) and "modern" (new), one catch-all route to legacy, and
  // short timeouts so timeout tests run fast.
  nlohmann::json base_config() const {
    return {
        {"threads", 2},
        {"upstreams",
         {{"legacy", {{"endpoints", {old_upstream_->address()}}}},
          {"modern", {{"endpoints", {new_upstream_->address()}}}}}},
        {"routes",
         {{{"name", "orders"},
           {"match", {{"path_prefix", "/orders"}}},
           {"old", "legacy"},
           {"new", "modern"},
           {"timeout_ms", 1000}},
          {{"name", "default"}, {"match", {{"path_prefix", "/"}}}, {"old", "legacy"}}}},
    };
  }

  std::unique_ptr<TestUpstream> old_upstream_;
  std::unique_ptr<TestUpstream> new_upstream_;
};

}  // namespace ficus::testing

#include "proxy/metrics/method_label.h"

#include <gtest/gtest.h>

namespace ficus::proxy::metrics {
namespace {

TEST(MethodLabel, KnownMethodsKeepTheirName) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    EXPECT_EQ(kMethodLabels[method_index(m)], m);
  }
}

TEST(MethodLabel, AnythingElseIsOther) {
  for (std::string_view m : {"get", "PROPFIND", "CONNECT", "TRACE", "", "GETX"}) {
    EXPECT_EQ(method_index(m), kOtherMethod) << m;
  }
  EXPECT_EQ(kMethodLabels[kOtherMethod], "other");
}

}  // namespace
}  // namespace ficus::proxy::metrics

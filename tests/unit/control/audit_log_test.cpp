// AuditLog: one JSON line per change, durable order, filtering, and parallel appenders.
#include "proxy/control/audit_log.h"

#include <fstream>
#include <regex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/flags/temp_dir.h"

namespace ficus::proxy::control {
namespace {

using nlohmann::json;

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

AuditEntry entry_for(std::string route, std::string time = {}) {
  return {.time = std::move(time),
          .actor = "alice",
          .action = "split",
          .route = std::move(route),
          .flag = "orders-cutover",
          .before = {{"state", "ENABLED"}, {"new_percent", 10}},
          .after = {{"state", "ENABLED"}, {"new_percent", 12.5}},
          .reason = "ramp"};
}

TEST(AuditLog, AppendWritesOneJsonLineWithEveryFieldInOrder) {
  testing::TempDir dir;
  AuditLog log(dir.path() / "logs" / "audit.jsonl");
  ASSERT_EQ(log.append(entry_for("orders")), "");
  const auto lines = lines_of(log.path());
  ASSERT_EQ(lines.size(), 1u);
  const auto entry = nlohmann::ordered_json::parse(lines[0]);
  std::vector<std::string> keys;
  for (const auto& [key, value] : entry.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"time", "actor", "token", "action", "route", "flag",
                                            "before", "after", "reason"}));
  EXPECT_TRUE(entry["token"].is_null()) << "no token given: null, not an empty string";
  EXPECT_TRUE(std::regex_match(entry["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << entry["time"];
  EXPECT_EQ(entry["after"]["new_percent"], 12.5);
  EXPECT_EQ(entry["reason"], "ramp");
}

TEST(AuditLog, ParallelAppendsLeaveEveryLineValidJson) {
  testing::TempDir dir;
  AuditLog log(dir.path() / "audit.jsonl");
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto entry = entry_for("route-" + std::to_string(t));
        entry.reason = std::string(500, static_cast<char>('a' + t));  // long enough to tear
        EXPECT_EQ(log.append(entry), "");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto lines = lines_of(log.path());
  ASSERT_EQ(lines.size(), std::size_t{kThreads * kEach});
  for (const auto& line : lines) {
    const auto entry = json::parse(line, nullptr, false);
    ASSERT_TRUE(entry.is_object()) << line;
    EXPECT_EQ(entry["reason"].get<std::string>().size(), 500u);
  }
}

TEST(AuditLog, ReadFiltersByRouteAndSinceAndSkipsTornLines) {
  testing::TempDir dir;
  AuditLog log(dir.path() / "audit.jsonl");
  ASSERT_EQ(log.append(entry_for("orders", "2026-11-24T10:00:00.000Z")), "");
  ASSERT_EQ(log.append(entry_for("billing", "2026-11-24T11:00:00.000Z")), "");
  std::ofstream(log.path(), std::ios::app) << R"({"time": "2026-11-24T11:30)"
                                           << "\n";
  ASSERT_EQ(log.append(entry_for("orders", "2026-11-24T12:00:00.000Z")), "");

  EXPECT_EQ(log.read({}).size(), 3u);
  const auto orders = log.read({.route = "orders", .since = {}});
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0]["time"], "2026-11-24T10:00:00.000Z");
  const auto late = log.read({.route = {}, .since = "2026-11-24T11"});
  ASSERT_EQ(late.size(), 2u);
  EXPECT_EQ(late[0]["route"], "billing");
}

TEST(AuditLog, AMissingFileIsAnEmptyTrail) {
  testing::TempDir dir;
  EXPECT_TRUE(AuditLog(dir.path() / "none.jsonl").read({}).empty());
}

TEST(AuditLog, AnUnwritableLocationIsReportedByName) {
  testing::TempDir dir;
  dir.write("file", "x");
  AuditLog log(dir.path() / "file" / "audit.jsonl");  // a folder that is a file
  const auto error = log.append(entry_for("orders"));
  EXPECT_NE(error.find("audit.jsonl"), std::string::npos) << error;
}

}  // namespace
}  // namespace ficus::proxy::control

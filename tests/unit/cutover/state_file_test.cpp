// The engine's state file on a real temp folder: a round trip of every route's progress and
// full_since, a missing file is an empty state, a broken one is reported (not guessed at), and a
// save replaces the file whole.
#include "cutover/state_file.h"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace ficus::cutover {
namespace {

using namespace std::chrono_literals;

class TempFolder {
 public:
  TempFolder() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "ficus-cutover-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(CutoverStateFile, AMissingFileIsAnEmptyState) {
  TempFolder dir;
  auto loaded = CutoverStateFile(dir.path() / "state.json").load();
  EXPECT_EQ(loaded.error, "");
  EXPECT_TRUE(loaded.state.routes.empty());
}

TEST(CutoverStateFile, SavedProgressAndFullSinceComeBack) {
  TempFolder dir;
  CutoverStateFile file(dir.path() / "state.json");
  SavedState state;
  RampProgress progress;
  progress.state = RampState::progressing;
  progress.step_index = 2;
  progress.share_percent = 25;
  progress.time_in_step = 4321ms;
  progress.time_in_interval = 321ms;
  state.routes["orders"].progress = progress;
  const auto full_since = std::chrono::system_clock::from_time_t(1'800'000'000);
  state.routes["users"].full_since = full_since;
  ASSERT_EQ(file.save(state), "");

  auto loaded = file.load();
  ASSERT_EQ(loaded.error, "");
  ASSERT_EQ(loaded.state.routes.size(), 2U);
  ASSERT_TRUE(loaded.state.routes["orders"].progress.has_value());
  EXPECT_EQ(loaded.state.routes["orders"].progress->to_json(), progress.to_json());
  EXPECT_FALSE(loaded.state.routes["orders"].full_since.has_value());
  EXPECT_EQ(loaded.state.routes["users"].full_since, full_since);
  EXPECT_FALSE(loaded.state.routes["users"].progress.has_value());

  // No temp files are left behind by the atomic replace.
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1U);
}

TEST(CutoverStateFile, ABrokenFileIsReportedWithItsPathAndGivesAnEmptyState) {
  TempFolder dir;
  const auto path = dir.path() / "state.json";
  std::ofstream(path) << R"({"version": 1, "routes": {"orders": {"progress": {"state": "nap"}}}})";
  auto loaded = CutoverStateFile(path).load();
  EXPECT_NE(loaded.error.find(path.string()), std::string::npos) << loaded.error;
  EXPECT_NE(loaded.error.find("routes.orders.progress"), std::string::npos) << loaded.error;
  EXPECT_TRUE(loaded.state.routes.empty());
  std::ofstream(path, std::ios::trunc) << "{\"version\": 1, \"rou";
  EXPECT_NE(CutoverStateFile(path).load().error, "");
}

TEST(CutoverStateFile, UtcTimestampsRoundTrip) {
  const auto time = std::chrono::system_clock::from_time_t(1'795'568'400);  // 2026-11-25T01:00:00Z
  EXPECT_EQ(utc_timestamp(time), "2026-11-25T01:00:00Z");
  EXPECT_EQ(parse_utc_timestamp("2026-11-25T01:00:00Z"), time);
  EXPECT_FALSE(parse_utc_timestamp("2026-11-25T01:00:00").has_value());
  EXPECT_FALSE(parse_utc_timestamp("yesterday").has_value());
}

TEST(CutoverStateFile, LivesNextToTheAuditLog) {
  config::ProxyConfig config;
  config.source_file = "/etc/ficus/ficus.json";
  config.audit_log.path = "/var/lib/ficus/audit.jsonl";
  EXPECT_EQ(state_file_path_for(config), "/var/lib/ficus/ficus-cutover-state.json");
}

}  // namespace
}  // namespace ficus::cutover

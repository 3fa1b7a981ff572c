// One PostgreSQL server for the whole cutover test binary (it holds the migration histories).
#include <gtest/gtest.h>

#include "tests/support/db/pg_server.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new ficus::testing::PgEnvironment);
  return RUN_ALL_TESTS();
}

#include "migrations/runner/backup.h"

#include <openssl/evp.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "migrations/runner/history.h"
#include "migrations/runner/tool.h"

namespace ficus::migrations {
namespace {

namespace fs = std::filesystem;

std::string utc_now_iso() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", text, ms.count());
}

void ensure_backups_table(MigrationDriver& db) {
  db.execute(
      "CREATE TABLE IF NOT EXISTS ficus_backups (file text PRIMARY KEY, bytes bigint NOT NULL, "
      "sha256 text NOT NULL, taken_at text NOT NULL, db_version text NOT NULL, before_version "
      "text NOT NULL, taken_by text NOT NULL)");
}

bool backups_table_exists(MigrationDriver& db) {
  if (db.dialect() == Dialect::kPostgres)
    return db.query("SELECT to_regclass('ficus_backups') IS NOT NULL").at(0).at(0) == "t";
  return !db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ficus_backups'")
              .empty();
}

void insert_backup(MigrationDriver& db, const BackupRecord& r) {
  std::string p;
  for (int i = 1; i <= 7; ++i) p += (i > 1 ? ", " : "") + db.placeholder(i);
  db.execute(fmt::format("INSERT INTO ficus_backups (file, bytes, sha256, taken_at, db_version, "
                         "before_version, taken_by) VALUES ({}) ON CONFLICT (file) DO NOTHING",
                         p),
             {r.file, std::to_string(r.bytes), r.sha256, r.taken_at, r.db_version, r.before_version,
              r.taken_by});
}

// "20240102000000_add_email (2 applied)" or "no migrations applied".
std::string describe_state(const std::string& db_url) {
  std::vector<AppliedMigration> history = applied(db_url);
  if (history.empty()) return "no migrations applied";
  return fmt::format("newest applied {}_{}, {} applied", history.back().version,
                     history.back().name, history.size());
}

std::string database_name(MigrationDriver& db, const std::string& db_url) {
  if (db.dialect() == Dialect::kPostgres)
    return db.query("SELECT current_database()").at(0).at(0).value_or("db");
  return fs::path(sqlite_path_of_url(db_url)).stem().string();
}

struct SqliteHandle {
  sqlite3* db = nullptr;
  ~SqliteHandle() { sqlite3_close_v2(db); }
};

void open_sqlite(SqliteHandle& h, const std::string& path, int flags) {
  if (sqlite3_open_v2(path.c_str(), &h.db, flags, nullptr) != SQLITE_OK)
    throw MigrationError(fmt::format("cannot open SQLite database `{}`: {}", path,
                                     h.db ? sqlite3_errmsg(h.db) : "out of memory"));
  sqlite3_busy_timeout(h.db, 5000);
}

std::string file_magic(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string magic(n, '\0');
  in.read(magic.data(), static_cast<std::streamsize>(n));
  magic.resize(static_cast<std::size_t>(in.gcount()));
  return magic;
}

// Drops every user schema and recreates an empty `public` as initdb leaves it, so the restore
// script that follows in the same transaction yields exactly the backed-up objects.
constexpr const char* kWipeSchemas = R"(DO $$
DECLARE s text;
BEGIN
  FOR s IN SELECT nspname FROM pg_namespace
           WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
END $$;
CREATE SCHEMA public;
ALTER SCHEMA public OWNER TO pg_database_owner;
GRANT USAGE ON SCHEMA public TO PUBLIC;
)";

void pg_restore_replacing(const std::string& db_url, const std::string& file,
                          const BackupTools& tools) {
  std::string base =
      fmt::format("{}/ficus-restore-{}", fs::temp_directory_path().string(), getpid());
  std::string wipe = base + "-wipe.sql";
  std::string script = base + "-script.sql";
  struct Cleanup {
    std::string a, b;
    ~Cleanup() {
      std::error_code ec;
      fs::remove(a, ec);
      fs::remove(b, ec);
    }
  } cleanup{wipe, script};
  std::ofstream(wipe) << kWipeSchemas;
  run_tool_or_throw({tools.pg_restore, "-f", script, file}, "pg_restore (reading the backup)");
  run_tool_or_throw({tools.psql_path(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                     "-d", db_url, "-f", wipe, "-f", script},
                    "psql (restoring; the database was left as it was)");
}

void sqlite_backup_step(sqlite3* to, sqlite3* from, const std::string& what) {
  sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
  if (!backup) throw MigrationError(fmt::format("{}: {}", what, sqlite3_errmsg(to)));
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) throw MigrationError(fmt::format("{}: {}", what, sqlite3_errstr(rc)));
}

}  // namespace

std::string BackupTools::psql_path() const {
  if (!psql.empty()) return psql;
  auto slash = pg_restore.rfind('/');
  return slash == std::string::npos ? "psql" : pg_restore.substr(0, slash + 1) + "psql";
}

std::string sha256_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw MigrationError(fmt::format("cannot read `{}`", path));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
    EVP_DigestUpdate(ctx.get(), buffer, static_cast<std::size_t>(in.gcount()));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

void sqlite_copy(const std::string& from_path, const std::string& to_path) {
  SqliteHandle from;
  SqliteHandle to;
  open_sqlite(from, from_path, SQLITE_OPEN_READONLY);
  open_sqlite(to, to_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite_backup_step(to.db, from.db, fmt::format("copying {} to {}", from_path, to_path));
}

BackupRecord take_backup(MigrationDriver& db, const std::string& db_url, const std::string& dir,
                         const BackupTools& tools, const std::string& before_version) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw MigrationError(fmt::format("cannot create backup folder `{}`: {}", dir, ec.message()));
  BackupRecord r;
  r.taken_at = utc_now_iso();
  r.before_version = before_version;
  r.taken_by = current_user_and_host();
  History history(db);
  if (history.exists()) {
    auto done = history.applied();
    if (!done.empty()) r.db_version = done.back().version;
  }
  std::string stamp = r.taken_at;
  std::erase_if(stamp, [](char c) { return c == '-' || c == ':'; });
  std::string ext = db.dialect() == Dialect::kPostgres ? "dump" : "sqlite";
  std::string stem = fmt::format("{}/{}-{}-before-{}", fs::absolute(dir).string(),
                                 database_name(db, db_url), stamp, before_version);
  r.file = fmt::format("{}.{}", stem, ext);
  for (int n = 2; fs::exists(r.file); ++n) r.file = fmt::format("{}-{}.{}", stem, n, ext);

  if (db.dialect() == Dialect::kPostgres) {
    run_tool_or_throw({tools.pg_dump, "-Fc", "-f", r.file, "--dbname", db_url}, "backup (pg_dump)");
  } else {
    sqlite_copy(sqlite_path_of_url(db_url), r.file);
  }
  r.bytes = static_cast<std::int64_t>(fs::file_size(r.file));
  r.sha256 = sha256_of_file(r.file);
  ensure_backups_table(db);
  insert_backup(db, r);
  return r;
}

std::vector<BackupRecord> list_backups(MigrationDriver& db) {
  if (!backups_table_exists(db)) return {};
  std::vector<BackupRecord> out;
  for (const Row& row :
       db.query("SELECT file, bytes, sha256, taken_at, db_version, before_version, taken_by FROM "
                "ficus_backups ORDER BY taken_at, file")) {
    out.push_back({row[0].value_or(""), std::strtoll(row[1].value_or("0").c_str(), nullptr, 10),
                   row[2].value_or(""), row[3].value_or(""), row[4].value_or(""),
                   row[5].value_or(""), row[6].value_or("")});
  }
  return out;
}

std::string restore_backup(const std::string& db_url, const std::optional<std::string>& from,
                           const BackupTools& tools) {
  Dialect dialect = dialect_of_url(db_url);
  std::vector<BackupRecord> known;
  {
    auto db = open_driver(db_url);
    known = list_backups(*db);
  }
  std::string file;
  const BackupRecord* record = nullptr;
  if (from) {
    file = fs::absolute(*from).string();
    for (const BackupRecord& r : known)
      if (r.file == file) record = &r;
  } else {
    if (known.empty())
      throw MigrationError(
          "no backup recorded in ficus_backups; take one with `ficus migrate up --backup DIR` "
          "or name a file with --from FILE");
    record = &known.back();
    file = record->file;
  }
  if (!fs::exists(file)) throw MigrationError(fmt::format("backup file `{}` does not exist", file));
  std::string sum = sha256_of_file(file);
  if (record && record->sha256 != sum)
    throw MigrationError(
        fmt::format("backup file `{}` has changed since it was taken (sha256 {} recorded, {} now); "
                    "refusing to restore it",
                    file, record->sha256, sum));
  bool pg_file = file_magic(file, 5) == "PGDMP";
  bool sqlite_file = file_magic(file, 16) == std::string("SQLite format 3\0", 16);
  if (dialect == Dialect::kPostgres ? !pg_file : !sqlite_file)
    throw MigrationError(fmt::format("`{}` is not a {} backup", file,
                                     dialect == Dialect::kPostgres ? "pg_dump -Fc" : "SQLite"));

  std::string before = describe_state(db_url);
  if (dialect == Dialect::kPostgres) {
    pg_restore_replacing(db_url, file, tools);
  } else {
    SqliteHandle source;
    SqliteHandle target;
    open_sqlite(source, file, SQLITE_OPEN_READONLY);
    open_sqlite(target, sqlite_path_of_url(db_url), SQLITE_OPEN_READWRITE);
    sqlite_backup_step(target.db, source.db, fmt::format("restoring {}", file));
  }
  {
    // The restored ficus_backups predates the backups taken since; keep the newer rows.
    auto db = open_driver(db_url);
    ensure_backups_table(*db);
    for (const BackupRecord& r : known) insert_backup(*db, r);
  }
  return fmt::format("restored {}{}\n  replaced: {}\n  now:      {}\n", file,
                     record ? fmt::format(" (taken {} by {})", record->taken_at, record->taken_by)
                            : " (not in ficus_backups; checksum not checked)",
                     before, describe_state(db_url));
}

void restore_into_empty(const std::string& db_url, const std::string& file,
                        const BackupTools& tools) {
  run_tool_or_throw({tools.pg_restore, "--no-owner", "--exit-on-error", "-d", db_url, file},
                    "pg_restore (into the scratch database)");
}

}  // namespace ficus::migrations

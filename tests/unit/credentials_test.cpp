// Credentials files (Docker secrets, --*-credentials): both forms, and every way a file can be
// wrong, each reported naming the file and never the secret in it.
#include "swarmop/clients/credentials.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/hostile_files.hpp"

namespace swarmop::testing {
namespace {

using clients::load_credentials;
using clients::load_credentials_file;
namespace fs = std::filesystem;

constexpr auto kPrivate = fs::perms::owner_read | fs::perms::owner_write;
constexpr auto kEveryone = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::group_write | fs::perms::others_read |
                           fs::perms::others_write;

//! The error of a load that must fail; the test fails if it did not.
std::string error_of(const model::Expected<clients::LoadedCredentials>& loaded) {
  REQUIRE_FALSE(loaded);
  return loaded.error().message;
}

}  // namespace

TEST_CASE("credentials files: both forms, and errors that never show the secret",
          "[unit][credentials]") {
  ScratchDir dir;
  const auto pair = dir.write("pair", "isadmin:s3cr3t-p@ss\n");
  const auto password = dir.write("password", "hunter2-secret\n");
  const auto broken = dir.write("broken", "no-colon-hunter3\n");

  auto from_pair = load_credentials_file(pair);
  REQUIRE(from_pair);
  CHECK(from_pair->auth.username == "isadmin");
  CHECK(from_pair->auth.password == "s3cr3t-p@ss");
  CHECK(from_pair->warnings.empty());

  model::Credentials split;
  split.username = "guest";
  split.password_file = password;
  auto from_split = load_credentials(split);
  REQUIRE(from_split);
  CHECK(from_split->auth.password == "hunter2-secret");
  CHECK(from_split->warnings.empty());

  const auto bad = error_of(load_credentials_file(broken));
  CHECK(bad.find("hunter3") == std::string::npos);
  CHECK(bad.find(broken) != std::string::npos);
  CHECK(error_of(load_credentials_file(dir.file("missing"))) ==
        "credentials file " + dir.file("missing") + ": cannot open: No such file or directory");
}

TEST_CASE("credentials files: what is not a regular file is refused by what it is, at once",
          "[unit][credentials]") {
  ScratchDir dir;
  SECTION("a directory (it used to read as \"expected one line\")") {
    fs::create_directory(dir.path / "secret");
    CHECK(error_of(load_credentials_file(dir.file("secret"))) ==
          "credentials file " + dir.file("secret") + ": is a directory, not a regular file");
  }
  SECTION("a FIFO with no writer (it used to hang)") {
    const auto fifo = dir.fifo("secret");
    std::optional<model::Expected<clients::LoadedCredentials>> loaded;
    CHECK(returns_promptly_on_fifo(fifo, [&] { loaded.emplace(load_credentials_file(fifo)); }));
    REQUIRE(loaded);
    CHECK(error_of(*loaded) ==
          "credentials file " + fifo + ": is a FIFO (named pipe), not a regular file");
  }
  SECTION("a link to /dev/zero, and a password file as big as a disk") {
    const auto zero = dir.link("secret", "/dev/zero");
    CHECK(error_of(load_credentials_file(zero)) ==
          "credentials file " + zero + ": is a character device, not a regular file");
    const auto huge = dir.write("huge", "");
    fs::resize_file(huge, std::uintmax_t{1} << 30);
    model::Credentials split;
    split.username = "guest";
    split.password_file = huge;
    CHECK(error_of(load_credentials(split)) ==
          "credentials file " + huge + ": is larger than 4 KiB");
  }
}

TEST_CASE("credentials files: a file other users can read or change is warned about",
          "[unit][credentials]") {
  ScratchDir dir;
  const auto everyone = dir.write("everyone", "isadmin:s3cr3t\n", kEveryone);
  auto loaded = load_credentials_file(everyone);
  REQUIRE(loaded);
  CHECK(loaded->auth.password == "s3cr3t");  // still used: a warning, not a refusal
  REQUIRE(loaded->warnings.size() == 1);
  CHECK(loaded->warnings[0] == "credentials file " + everyone +
                                   ": mode 0666 lets every user read and change it; make it "
                                   "0600 (or 0400)");
  const auto readable =
      dir.write("readable", "isadmin:s3cr3t\n", kPrivate | fs::perms::others_read);
  REQUIRE(load_credentials_file(readable));
  CHECK(load_credentials_file(readable)->warnings ==
        std::vector<std::string>{"credentials file " + readable +
                                 ": mode 0604 lets every user read it; make it 0600 (or 0400)"});
  const auto group = dir.write("group", "isadmin:s3cr3t\n", kPrivate | fs::perms::group_read);
  CHECK(load_credentials_file(group)->warnings.empty());  // a group is chosen on purpose
}

TEST_CASE("credentials files: a NUL byte is an error, not a password cut short",
          "[unit][credentials]") {
  ScratchDir dir;
  const auto path = dir.write("nul", std::string("isadmin:s3cr\0et\n", 16));
  const auto error = error_of(load_credentials_file(path));
  CHECK(error ==
        "credentials file " + path + ": holds a NUL byte; a credential cannot contain one");
  CHECK(error.find("s3cr") == std::string::npos);
}

TEST_CASE("credentials files: a byte order mark and Windows line ends are dropped",
          "[unit][credentials]") {
  ScratchDir dir;
  auto loaded = load_credentials_file(dir.write("bom", "\xEF\xBB\xBFisadmin:s3cr3t\r\n"));
  REQUIRE(loaded);
  CHECK(loaded->auth.username == "isadmin");
  CHECK(loaded->auth.password == "s3cr3t");
  CHECK(loaded->warnings.empty());
  CHECK(error_of(load_credentials_file(dir.write("two", "isadmin:s3cr3t\r\nmore\n")))
            .find("must hold one line") != std::string::npos);
}

TEST_CASE("credentials files: spaces around a username or password are warned about, by part",
          "[unit][credentials]") {
  ScratchDir dir;
  const auto pair = dir.write("pair", " isadmin:s3cr3t-pw \n");
  auto loaded = load_credentials_file(pair);
  REQUIRE(loaded);
  CHECK(loaded->auth.password == "s3cr3t-pw ");  // sent as written: it may be the password
  CHECK(loaded->warnings ==
        std::vector<std::string>{
            "credentials file " + pair +
                ": the username starts with a space or tab, which is sent as part of it (a 401 "
                "from the server may come from this)",
            "credentials file " + pair +
                ": the password ends with a space or tab, which is sent as part of it (a 401 "
                "from the server may come from this)"});
  model::Credentials split;
  split.username = "guest";
  split.password_file = dir.write("password", "\ts3cr3t-pw\n");
  auto from_split = load_credentials(split);
  REQUIRE(from_split);
  REQUIRE(from_split->warnings.size() == 1);
  CHECK(from_split->warnings[0].find("the password starts with a space or tab") !=
        std::string::npos);
  for (const auto& warning : loaded->warnings) {
    CHECK(warning.find("s3cr3t") == std::string::npos);
  }
  CHECK(from_split->warnings[0].find("s3cr3t") == std::string::npos);
}

}  // namespace swarmop::testing

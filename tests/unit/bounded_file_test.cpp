// read_bounded_file: the one reader of files a person names (the desired state, credentials,
// snapshots). Whatever is at the path, it answers at once, never holds more than the limit plus
// one byte, and says what is wrong in words.
#include "swarmop/model/bounded_file.hpp"

#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/hostile_files.hpp"

namespace swarmop::testing {
namespace {

using model::read_bounded_file;

long peak_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

TEST_CASE("bounded read: a regular file, whole, with its permissions", "[unit][bounded-file]") {
  ScratchDir dir;
  const auto path = dir.write("cluster.yaml", std::string("a\0b\n", 4));
  const auto read = read_bounded_file(path, 1024);
  REQUIRE(read.ok());
  CHECK(read.bytes == std::string("a\0b\n", 4));
  CHECK(read.permissions == 0600);

  SECTION("through a symlink") {
    const auto via_link = read_bounded_file(dir.link("link.yaml", path), 1024);
    REQUIRE(via_link.ok());
    CHECK(via_link.bytes == read.bytes);
  }
  SECTION("an empty file is empty, not an error") {
    const auto empty = read_bounded_file(dir.write("empty.yaml", ""), 1024);
    REQUIRE(empty.ok());
    CHECK(empty.bytes.empty());
  }
}

TEST_CASE("bounded read: exactly the limit is read, one byte more is refused",
          "[unit][bounded-file]") {
  ScratchDir dir;
  const auto exact = read_bounded_file(dir.write("exact", std::string(4096, 'x')), 4096);
  REQUIRE(exact.ok());
  CHECK(exact.bytes.size() == 4096);
  const auto over = read_bounded_file(dir.write("over", std::string(4097, 'x')), 4096);
  CHECK_FALSE(over.ok());
  CHECK(over.failure == "is larger than 4 KiB");
  CHECK(over.bytes.empty());
}

TEST_CASE("bounded read: a 1 GiB file is refused without being read", "[unit][bounded-file]") {
  ScratchDir dir;
  const auto path = dir.file("huge.yaml");
  std::ofstream(path).close();
  std::filesystem::resize_file(path, std::uintmax_t{1} << 30);  // sparse: costs no disk
  const long before = peak_rss_kib();
  const auto read = read_bounded_file(path, std::size_t{1} << 20);
  CHECK(read.failure == "is larger than 1 MiB");
  // Reading it whole would have raised the peak by a GiB; the limit plus one chunk is all.
  CHECK(peak_rss_kib() - before < 64 * 1024);
}

TEST_CASE("bounded read: what is not a regular file is refused by what it is",
          "[unit][bounded-file]") {
  ScratchDir dir;
  SECTION("a directory") {
    CHECK(read_bounded_file(dir.path.string(), 1024).failure ==
          "is a directory, not a regular file");
  }
  SECTION("a symlink to /dev/zero, which would never end") {
    const auto read = read_bounded_file(dir.link("zero.yaml", "/dev/zero"), 1 << 20);
    CHECK(read.failure == "is a character device, not a regular file");
    CHECK(read.bytes.empty());
  }
  SECTION("a FIFO with no writer: answered at once, not blocked in open") {
    const auto fifo = dir.fifo("cluster.yaml");
    model::FileRead read;
    CHECK(returns_promptly_on_fifo(fifo, [&] { read = read_bounded_file(fifo, 1024); }));
    CHECK(read.failure == "is a FIFO (named pipe), not a regular file");
  }
  SECTION("a missing file and a dangling link say why, with the system's words") {
    CHECK(read_bounded_file(dir.file("missing.yaml"), 1024).failure ==
          "cannot open: No such file or directory");
    CHECK(read_bounded_file(dir.link("dangling.yaml", dir.path / "nowhere"), 1024).failure ==
          "cannot open: No such file or directory");
  }
}

TEST_CASE("bounded read: limits are named as people write them", "[unit][bounded-file]") {
  CHECK(model::describe_size(std::size_t{1} << 20) == "1 MiB");
  CHECK(model::describe_size(4096) == "4 KiB");
  CHECK(model::describe_size(1000) == "1000 bytes");
  CHECK(model::describe_size(1) == "1 byte");
}

}  // namespace swarmop::testing

// The desired-state file as watch holds it: the last good document stays in force through a
// bad file, a directory or a FIFO where the file was, and new content is taken only once it
// holds still (read the same twice, stable_for apart). The clock is the test's, so "a second
// later" is exact and nothing sleeps.
#include "watch/desired_source.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/hostile_files.hpp"
#include "support/watch_documents.hpp"

namespace swarmop::testing {
namespace {

using namespace std::chrono_literals;
using Reload = watch::DesiredSource::Reload;
namespace fs = std::filesystem;

struct TestClock {
  watch::Clock::time_point now = watch::Clock::time_point{} + 1h;
  watch::DesiredSource::Now function() {
    return [this] { return now; };
  }
};

std::string zone(const watch::DesiredSource& source) {
  return source.current()->swarm.nodes.at(0).labels.at("zone");
}

//! Writes `text` in place, as an editor saving over the file does.
void write_in_place(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

}  // namespace

TEST_CASE("desired source: a bad file changes nothing and says where it is wrong", "[watch]") {
  ScratchDir dir;
  const auto path = dir.write("cluster.yaml", cluster_file("a"));
  watch::DesiredSource source(path, 0ms);  // no settling: every read is taken
  REQUIRE(source.reload() == Reload::kChanged);
  const auto first = source.revision();
  REQUIRE(source.current());
  CHECK(zone(source) == "a");

  CHECK(source.reload() == Reload::kUnchanged);  // the same bytes: nothing new

  write_in_place(path, cluster_file("a") + "  bogus: [\n");
  CHECK(source.reload() == Reload::kInvalid);
  REQUIRE_FALSE(source.errors().empty());
  CHECK(source.errors().front().find(path + ":") == 0);
  CHECK(source.revision() == first);
  CHECK(zone(source) == "a");
  CHECK(source.load_errors() == 1);
  CHECK(source.reload() == Reload::kUnchanged);  // the same bad bytes are not counted twice
  CHECK(source.load_errors() == 1);

  write_in_place(path, cluster_file("b"));
  CHECK(source.reload() == Reload::kChanged);
  CHECK(source.errors().empty());
  CHECK(source.revision() != first);
  CHECK(zone(source) == "b");
}

// Issue #22: an in-place write with a 300 ms pause exposed a valid prefix (fewer nodes), and
// the controller acted on it.
TEST_CASE("desired source: new content is taken only once read the same twice, 1 s apart",
          "[watch]") {
  ScratchDir dir;
  const auto path = dir.write("cluster.yaml", cluster_file("a"));
  TestClock clock;
  watch::DesiredSource source(path, 1000ms, clock.function());
  const auto started = clock.now;

  CHECK(source.reload() == Reload::kSettling);  // the first read too: it may be half written
  CHECK_FALSE(source.current());
  REQUIRE(source.settles_at());
  CHECK(*source.settles_at() == started + 1000ms);
  clock.now += 999ms;
  CHECK(source.reload() == Reload::kSettling);
  clock.now += 1ms;
  REQUIRE(source.reload() == Reload::kChanged);
  CHECK(zone(source) == "a");
  CHECK(source.first_seen() == started);
  CHECK_FALSE(source.settles_at());
  CHECK(source.reload() == Reload::kUnchanged);

  const std::string second_node = "      - hostname: node2\n        role: worker\n";
  SECTION("a write in place with a pause: the valid prefix is never taken") {
    clock.now += 10s;
    write_in_place(path, cluster_file("b"));  // valid, but node2 is still to come
    CHECK(source.reload() == Reload::kSettling);
    clock.now += 300ms;
    write_in_place(path, cluster_file("b") + second_node);
    const auto completed = clock.now;
    CHECK(source.reload() == Reload::kSettling);  // other bytes: the wait starts again
    clock.now += 700ms;                           // 1 s after the prefix, not after the end
    CHECK(source.reload() == Reload::kSettling);
    CHECK(zone(source) == "a");
    CHECK(source.current()->swarm.nodes.size() == 1);
    clock.now += 300ms;
    REQUIRE(source.reload() == Reload::kChanged);
    CHECK(zone(source) == "b");
    CHECK(source.current()->swarm.nodes.size() == 2);
    CHECK(source.first_seen() == completed);
  }
  SECTION("the same bytes must be read twice in a row, not just twice") {
    clock.now += 10s;
    write_in_place(path, cluster_file("b"));
    CHECK(source.reload() == Reload::kSettling);
    clock.now += 500ms;
    write_in_place(path, cluster_file("c"));
    CHECK(source.reload() == Reload::kSettling);
    clock.now += 500ms;
    write_in_place(path, cluster_file("b"));
    CHECK(source.reload() == Reload::kSettling);  // b again, but not held for 1 s
    CHECK(zone(source) == "a");
  }
  SECTION("a change put back before it settled leaves nothing to do") {
    const auto revision = source.revision();
    write_in_place(path, cluster_file("b"));
    CHECK(source.reload() == Reload::kSettling);
    write_in_place(path, cluster_file("a"));
    CHECK(source.reload() == Reload::kUnchanged);
    CHECK_FALSE(source.settles_at());
    CHECK(source.revision() == revision);
    CHECK(source.first_seen() == started);
  }
}

// Issue #22: a directory in the file's place aborted watch (std::ios_base::failure, exit 134).
TEST_CASE(
    "desired source: a directory, a FIFO, /dev/zero or a huge file where the file was: "
    "the error is kept and the last good document stays",
    "[watch]") {
  ScratchDir dir;
  const auto path = dir.write("cluster.yaml", cluster_file("a"));
  TestClock clock;
  watch::DesiredSource source(path, 100ms, clock.function());
  REQUIRE(source.reload() == Reload::kSettling);
  clock.now += 100ms;
  REQUIRE(source.reload() == Reload::kChanged);
  const auto revision = source.revision();

  // Each replacement must hold still like any content before it is reported.
  const auto settled = [&](const std::string& expected_error) {
    Reload first = Reload::kUnchanged;
    REQUIRE(returns_promptly_on_fifo(path, [&] { first = source.reload(); }));
    CHECK(first == Reload::kSettling);
    clock.now += 100ms;
    CHECK(source.reload() == Reload::kInvalid);
    CHECK(source.errors() == std::vector<std::string>{path + ": error: " + expected_error});
    CHECK(source.revision() == revision);
    CHECK(zone(source) == "a");
    CHECK(source.reload() == Reload::kUnchanged);  // reported once, not per read
  };

  fs::remove(path);
  fs::create_directory(path);
  settled("is a directory, not a regular file");
  CHECK(source.load_errors() == 1);

  fs::remove(path);
  dir.fifo("cluster.yaml");
  settled("is a FIFO (named pipe), not a regular file");

  fs::remove(path);
  dir.link("cluster.yaml", "/dev/zero");
  settled("is a character device, not a regular file");

  fs::remove(path);
  dir.write("cluster.yaml", "");
  fs::resize_file(path, std::uintmax_t{1} << 30);
  settled("is larger than 1 MiB");
  CHECK(source.load_errors() == 4);

  fs::remove(path);
  dir.write("cluster.yaml", cluster_file("b"));
  CHECK(source.reload() == Reload::kSettling);
  clock.now += 100ms;
  CHECK(source.reload() == Reload::kChanged);
  CHECK(source.errors().empty());
  CHECK(zone(source) == "b");
}

}  // namespace swarmop::testing

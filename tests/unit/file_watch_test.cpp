// The file watch: every way the desired-state file gets replaced is seen, a write still in
// progress is not, and losing the file's folder (deleted, recreated) does not lose the watch.
#include "watch/file_watch.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "support/hostile_files.hpp"
#include "support/watch_documents.hpp"
#include "watch/desired_source.hpp"

namespace swarmop::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

//! Runs the loop until `done` or a deadline; true when done.
template <class Done>
bool run_until(boost::asio::io_context& loop, Done done, std::chrono::milliseconds deadline = 5s) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done() && std::chrono::steady_clock::now() < until) {
    loop.run_for(10ms);
  }
  return done();
}

}  // namespace

TEST_CASE("file watch: a rename over the file and a git-sync symlink swap are both seen",
          "[watch]") {
  ScratchDir temp;  // holds the checkouts and the link
  const fs::path first = temp.path / "rev1";
  const fs::path second = temp.path / "rev2";
  fs::create_directories(first);
  fs::create_directories(second);
  std::ofstream(first / "cluster.yaml") << cluster_file("a");
  std::ofstream(second / "cluster.yaml") << cluster_file("b");
  fs::create_directory_symlink(first, temp.path / "current");
  const std::string watched = (temp.path / "current" / "cluster.yaml").string();

  boost::asio::io_context loop;
  int changes = 0;
  watch::FileWatch file_watch(loop, watched, 20ms, [&] { ++changes; });
  REQUIRE(file_watch.start());

  SECTION("a new file renamed over it, as git checkout does") {
    std::ofstream(first / ".cluster.yaml.tmp") << cluster_file("c");
    fs::rename(first / ".cluster.yaml.tmp", first / "cluster.yaml");
    CHECK(run_until(loop, [&] { return changes >= 1; }));
  }
  SECTION("the directory link swapped to a new checkout, as git-sync does") {
    fs::create_directory_symlink(second, temp.path / ".current.tmp");
    fs::rename(temp.path / ".current.tmp", temp.path / "current");
    REQUIRE(run_until(loop, [&] { return changes >= 1; }));
    watch::DesiredSource source(watched, 0ms);
    REQUIRE(source.reload() == watch::DesiredSource::Reload::kChanged);
    CHECK(source.current()->swarm.nodes.at(0).labels.at("zone") == "b");
    // The watch follows the link: a later change in the new checkout is seen too.
    const int before = changes;
    std::ofstream(second / ".cluster.yaml.tmp") << cluster_file("d");
    fs::rename(second / ".cluster.yaml.tmp", second / "cluster.yaml");
    CHECK(run_until(loop, [&] { return changes > before; }));
  }
  file_watch.stop();
}

// Issue #22: IN_MODIFY reported every write() of a writer still in the middle of the file.
TEST_CASE("file watch: a write in progress is reported once the writer closes the file",
          "[watch]") {
  ScratchDir dir;
  const auto file = dir.write("cluster.yaml", cluster_file("a"));
  boost::asio::io_context loop;
  int changes = 0;
  watch::FileWatch file_watch(loop, file, 20ms, [&] { ++changes; });
  REQUIRE(file_watch.start());

  std::ofstream writer(file, std::ios::trunc);
  writer << cluster_file("b");
  writer.flush();  // on disk, but the writer is not done
  // Ten settle times: a watch that reported writes in progress would have called by now. (The
  // absence of a call can only be checked over some time; this bounds it.)
  loop.run_for(200ms);
  CHECK(changes == 0);
  writer << "      - {hostname: node2, role: worker}\n";
  writer.close();
  CHECK(run_until(loop, [&] { return changes == 1; }));
  file_watch.stop();
}

// Issue #22: deleting and recreating the folder lost the watch for good; only the resync (30 s)
// saw later changes.
TEST_CASE("file watch: the folder deleted and recreated: the watch comes back by itself",
          "[watch]") {
  ScratchDir scratch;
  const fs::path folder = scratch.path / "config";
  fs::create_directories(folder);
  const fs::path file = folder / "cluster.yaml";
  std::ofstream(file) << cluster_file("a");

  boost::asio::io_context loop;
  int changes = 0;
  std::vector<watch::FileWatch::Notice> notices;
  watch::FileWatch file_watch(loop, file.string(), 20ms, [&] { ++changes; });
  file_watch.set_retry(20ms);
  file_watch.on_notice(
      [&](watch::FileWatch::Notice notice, const std::string&) { notices.push_back(notice); });
  REQUIRE(file_watch.start());
  REQUIRE(file_watch.armed());

  fs::remove_all(folder);
  REQUIRE(run_until(loop, [&] { return !notices.empty(); }));
  CHECK(notices == std::vector{watch::FileWatch::Notice::kLost});
  CHECK_FALSE(file_watch.armed());
  // The file is gone: that is a change too (watch then reports the file cannot be opened).
  CHECK(run_until(loop, [&] { return changes >= 1; }));

  fs::create_directories(folder);
  REQUIRE(run_until(loop, [&] { return notices.size() == 2; }));
  CHECK(notices.back() == watch::FileWatch::Notice::kRearmed);
  CHECK(file_watch.armed());
  // Back, it looks once at whatever happened while nothing watched.
  const int at_rearm = changes;
  REQUIRE(run_until(loop, [&] { return changes > at_rearm; }));

  // A later write in place is seen from inotify again: nothing polls any more.
  const int before = changes;
  std::ofstream(file) << cluster_file("b");
  CHECK(run_until(loop, [&] { return changes > before; }));
  CHECK(notices.size() == 2);  // told once when lost and once when back, not per retry
  file_watch.stop();
}

}  // namespace swarmop::testing

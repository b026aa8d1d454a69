// The watch command's HTTP endpoints under hostile clients: slow and idle connections, bodies
// announced but never sent, a port already taken.
#include "watch/http_endpoints.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "watch/status_board.hpp"

namespace swarmop::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

//! A TCP connection to 127.0.0.1:port, closed when destroyed.
class Connection {
 public:
  explicit Connection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return connected_; }

  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  //! Whether the server sent something or closed by `deadline`.
  bool answered_by(Clock::time_point deadline) const {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd target{fd_, POLLIN, 0};
    return ::poll(&target, 1, static_cast<int>(std::max<long>(0, left.count()))) > 0;
  }

  //! What the server sends until it closes the connection or `deadline` passes.
  std::string read_until_closed(Clock::time_point deadline) {
    std::string received;
    char buffer[4096];
    while (answered_by(deadline)) {
      const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        break;
      }
      received.append(buffer, static_cast<std::size_t>(n));
    }
    return received;
  }

 private:
  int fd_;
  bool connected_ = false;
};

//! Clients that send a request's headers one byte every 200 ms and never finish them.
class SlowClients {
 public:
  SlowClients(int port, int count) {
    for (int i = 0; i < count; ++i) {
      connections_.push_back(std::make_unique<Connection>(port));
    }
    thread_ = std::thread([this] { drip(); });
  }
  ~SlowClients() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  //! Bytes each has sent so far.
  int sent() const { return sent_; }
  std::vector<std::unique_ptr<Connection>>& connections() { return connections_; }

 private:
  void drip() {
    const std::string headers =
        "GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Padding: " + std::string(4096, 'a');
    std::unique_lock lock(mutex_);
    // Pacing, not waiting for a condition: the slowness is what is under test.
    for (std::size_t i = 0; i < headers.size() && !stopping_; ++i) {
      for (auto& connection : connections_) {
        connection->send(headers.substr(i, 1));
      }
      ++sent_;
      wake_.wait_for(lock, 200ms, [this] { return stopping_; });
    }
  }

  std::vector<std::unique_ptr<Connection>> connections_;
  std::atomic<int> sent_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

bool wait_until(const std::function<bool()>& condition, Clock::time_point deadline) {
  while (!condition()) {
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

//! GETs /healthz on a fresh connection; the response, or "" when none came by `deadline`.
std::string get_healthz(int port, Clock::time_point deadline) {
  Connection connection(port);
  if (!connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")) {
    return "";
  }
  return connection.read_until_closed(deadline);
}

std::string status_line(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

struct Served {
  Served() : board({"labels"}), http(board), port(http.start("127.0.0.1:0")) {}
  watch::StatusBoard board;
  watch::HttpEndpoints http;
  int port;
};

}  // namespace

TEST_CASE("http: /healthz answers at once while slow and idle clients hold connections",
          "[watch][http]") {
  Served served;
  REQUIRE(served.port > 0);
  auto slow = std::make_unique<SlowClients>(served.port, 8);
  std::vector<std::unique_ptr<Connection>> idle;
  for (int i = 0; i < 40; ++i) {
    idle.push_back(std::make_unique<Connection>(served.port));
    REQUIRE(idle.back()->connected());
  }
  // The slow clients are mid-request (two bytes each sent) before /healthz is asked.
  REQUIRE(wait_until([&] { return slow->sent() >= 2; }, Clock::now() + 5s));

  const auto asked = Clock::now();
  const std::string response = get_healthz(served.port, asked + 3s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - asked);
  INFO("/healthz under 8 slow + 40 idle connections took " << took.count() << " ms");
  CHECK(status_line(response) == "HTTP/1.1 200 OK");
  CHECK(took < 3s);

  // The slow clients are cut off once their request deadline (2 s) passes, however steadily
  // they drip: each sees the server's answer or close well before they could finish.
  const auto cut_off_by = asked + 5s;
  for (auto& connection : slow->connections()) {
    CHECK(connection->answered_by(cut_off_by));
  }
  slow.reset();
  idle.clear();
}

TEST_CASE(
    "http: a backlog of idle connections beyond the workers delays /healthz by at most "
    "the request deadline",
    "[watch][http]") {
  Served served;
  REQUIRE(served.port > 0);
  std::vector<std::unique_ptr<Connection>> idle;
  for (int i = 0; i < 150; ++i) {
    idle.push_back(std::make_unique<Connection>(served.port));
    REQUIRE(idle.back()->connected());
  }
  const auto asked = Clock::now();
  const std::string response = get_healthz(served.port, asked + 4s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - asked);
  INFO("/healthz behind 150 idle connections took " << took.count() << " ms");
  CHECK(status_line(response) == "HTTP/1.1 200 OK");
}

TEST_CASE("http: a request announcing a body is refused from its headers, the body never read",
          "[watch][http]") {
  Served served;
  REQUIRE(served.port > 0);
  const std::string some_of_the_body(4096, 'x');
  SECTION("POST: 405") {
    Connection connection(served.port);
    REQUIRE(
        connection.send("POST /status HTTP/1.1\r\nHost: test\r\nContent-Length: 209715200\r\n\r\n" +
                        some_of_the_body));
    // The answer comes though 200 MB minus 4 KiB of the body are still unsent.
    const std::string response = connection.read_until_closed(Clock::now() + 2s);
    CHECK(status_line(response) == "HTTP/1.1 405 Method Not Allowed");
    CHECK(response.find("Allow: GET, HEAD") != std::string::npos);
  }
  SECTION("GET with a body: 413") {
    Connection connection(served.port);
    REQUIRE(
        connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\nContent-Length: 209715200\r\n\r\n" +
                        some_of_the_body));
    const std::string response = connection.read_until_closed(Clock::now() + 2s);
    CHECK(status_line(response) == "HTTP/1.1 413 Payload Too Large");
  }
  SECTION("POST expecting 100-continue: 405, no invitation to send") {
    Connection connection(served.port);
    REQUIRE(connection.send(
        "POST /status HTTP/1.1\r\nHost: test\r\nContent-Length: 209715200\r\nExpect: "
        "100-continue\r\n\r\n"));
    const std::string response = connection.read_until_closed(Clock::now() + 2s);
    CHECK(status_line(response) == "HTTP/1.1 405 Method Not Allowed");
  }
  // Still serving.
  CHECK(status_line(get_healthz(served.port, Clock::now() + 2s)) == "HTTP/1.1 200 OK");
}

TEST_CASE("http: a port already taken is refused with the system's reason", "[watch][http]") {
  Served first;
  REQUIRE(first.port > 0);
  watch::StatusBoard board({"labels"});
  watch::HttpEndpoints second(board);
  const std::string listen = "127.0.0.1:" + std::to_string(first.port);
  CHECK(second.start(listen) == 0);
  CHECK(second.error() == "cannot listen on " + listen + ": Address already in use");

  watch::HttpEndpoints unresolved(board);
  CHECK(unresolved.start("no-such-host.invalid:0") == 0);
  CHECK(unresolved.error().rfind("cannot listen on no-such-host.invalid:0: cannot resolve "
                                 "no-such-host.invalid: ",
                                 0) == 0);
}

TEST_CASE("http: /healthz fails, saying why, once the controller's loop stops turning",
          "[watch][http]") {
  watch::StatusBoard board({"labels"});
  watch::HttpEndpoints http(board, 15s);
  const int port = http.start("127.0.0.1:0");
  REQUIRE(port > 0);
  // Before the loop's first turn (start-up) and right after a turn: healthy.
  CHECK(status_line(get_healthz(port, Clock::now() + 3s)) == "HTTP/1.1 200 OK");
  board.set_loop_turned(Clock::now());
  CHECK(status_line(get_healthz(port, Clock::now() + 3s)) == "HTTP/1.1 200 OK");
  // The last turn 20 s ago (a loop blocked on a FIFO or a hung mount did this): unhealthy, so
  // the stack's health check restarts the controller.
  board.set_loop_turned(Clock::now() - 20s);
  const std::string stalled = get_healthz(port, Clock::now() + 3s);
  CHECK(status_line(stalled) == "HTTP/1.1 503 Service Unavailable");
  CHECK_THAT(stalled, Catch::Contains("event loop has not turned for 20 s"));
  board.set_loop_turned(Clock::now());
  CHECK(status_line(get_healthz(port, Clock::now() + 3s)) == "HTTP/1.1 200 OK");
}

}  // namespace swarmop::testing

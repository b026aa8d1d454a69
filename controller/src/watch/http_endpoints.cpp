#include "watch/http_endpoints.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "watch/bounded_http_server.hpp"

namespace swarmop::watch {

namespace {

//! The addresses `host` resolves to, or empty with `error` set to the resolver's reason.
std::vector<sockaddr_storage> resolve(const std::string& host, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int code = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (code != 0) {
    error = "cannot resolve " + host + ": " +
            (code == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(code));
    return {};
  }
  std::vector<sockaddr_storage> addresses;
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    sockaddr_storage address{};
    std::memcpy(&address, entry->ai_addr,
                std::min<std::size_t>(entry->ai_addrlen, sizeof(address)));
    addresses.push_back(address);
  }
  ::freeaddrinfo(found);
  return addresses;
}

bool is_loopback(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    return (ntohl(v4.sin_addr.s_addr) >> 24) == 127;
  }
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address).sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

std::string numeric(const sockaddr_storage& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  const void* raw =
      address.ss_family == AF_INET
          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in&>(address).sin_addr)
          : &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr;
  ::inet_ntop(address.ss_family, raw, text.data(), text.size());
  return text.data();
}

}  // namespace

std::optional<ListenAddress> parse_listen(const std::string& listen, std::string& error) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    error = "not HOST:PORT (no port)";
    return std::nullopt;
  }
  ListenAddress address{listen.substr(0, colon), 0};
  if (address.host.size() >= 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  if (address.host.empty()) {
    error = "not HOST:PORT (no host)";
    return std::nullopt;
  }
  const std::string port = listen.substr(colon + 1);
  const bool digits = !port.empty() && port.size() <= 5 &&
                      port.find_first_not_of("0123456789") == std::string::npos;
  address.port = digits ? std::stoi(port) : -1;
  if (address.port < 0 || address.port > 65535) {
    error = "bad port \"" + port + "\" (a number from 0 to 65535)";
    return std::nullopt;
  }
  return address;
}

LoopbackCheck check_loopback_listen(const std::string& listen) {
  using Verdict = LoopbackCheck::Verdict;
  std::string error;
  const auto address = parse_listen(listen, error);
  if (!address) {
    return {Verdict::kBadAddress, error};
  }
  const auto resolved = resolve(address->host, error);
  if (resolved.empty()) {
    return {Verdict::kUnresolved, error};
  }
  for (const auto& each : resolved) {
    if (!is_loopback(each)) {
      const std::string ip = numeric(each);
      return {Verdict::kNotLoopback,
              (ip == address->host ? ip : address->host + " resolves to " + ip + ", which") +
                  " is not a loopback address"};
    }
  }
  return {Verdict::kLoopback, ""};
}

bool is_loopback_listen(const std::string& listen) {
  return check_loopback_listen(listen).verdict == LoopbackCheck::Verdict::kLoopback;
}

HttpEndpoints::HttpEndpoints(const StatusBoard& board, std::chrono::milliseconds stall_bound)
    : board_(board), stall_bound_(stall_bound), server_(std::make_unique<BoundedHttpServer>()) {}

HttpEndpoints::~HttpEndpoints() {
  stop();
}

int HttpEndpoints::start(const std::string& listen) {
  std::string error;
  const auto address = parse_listen(listen, error);
  if (!address || resolve(address->host, error).empty()) {
    error_ = "cannot listen on " + listen + ": " + error;
    return 0;
  }
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
    if (auto stalled = board_.stalled(std::chrono::steady_clock::now(), stall_bound_)) {
      response.status = 503;
      response.set_content("stalled: " + *stalled + "\n", "text/plain");
      return;
    }
    response.set_content("ok\n", "text/plain");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
    const bool ready = board_.ready();
    response.status = ready ? 200 : 503;
    response.set_content(ready ? "ready\n" : "not ready\n", "text/plain");
  });
  server_->Get("/status", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(board_.status_json(), "application/json");
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(board_.metrics_text(), "text/plain; version=0.0.4");
  });
  errno = 0;  // httplib reports a failed bind as false or -1 only; errno says why
  int bound = address->port;
  if (address->port == 0) {
    bound = server_->bind_to_any_port(address->host);
  } else if (!server_->bind_to_port(address->host, address->port)) {
    bound = -1;
  }
  if (bound <= 0) {
    const int reason = errno;
    error_ = "cannot listen on " + listen + ": " +
             (reason != 0 ? std::strerror(reason) : "the address could not be bound");
    return 0;
  }
  server_->widen_backlog();
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing before its loop runs: wait for it, so stop() always ends it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

void HttpEndpoints::stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace swarmop::watch

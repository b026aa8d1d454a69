#include "watch/http_endpoints.hpp"

#include <httplib.h>

namespace swarmop::watch {

namespace {

//! "HOST:PORT" or "[V6]:PORT".
bool split_listen(const std::string& listen, std::string& host, int& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return false;
  }
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  try {
    std::size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    return used == listen.size() - colon - 1 && port >= 0 && port <= 65535 && !host.empty();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

bool is_loopback_listen(const std::string& listen) {
  std::string host;
  int port = 0;
  if (!split_listen(listen, host, port)) {
    return false;
  }
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

HttpEndpoints::HttpEndpoints(const StatusBoard& board)
    : board_(board), server_(std::make_unique<httplib::Server>()) {}

HttpEndpoints::~HttpEndpoints() {
  stop();
}

int HttpEndpoints::start(const std::string& listen) {
  std::string host;
  int port = 0;
  if (!split_listen(listen, host, port)) {
    error_ = "not HOST:PORT: " + listen;
    return 0;
  }
  server_->set_tcp_nodelay(true);
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
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
  int bound = port;
  if (port == 0) {
    bound = server_->bind_to_any_port(host);
  } else if (!server_->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    error_ = "cannot listen on " + listen;
    return 0;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return bound;
}

void HttpEndpoints::stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace swarmop::watch

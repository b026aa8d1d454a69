#include "cb_node_server.hpp"

#include <chrono>
#include <stdexcept>

namespace swarmop::sim::couchbase {

namespace {

void drop(httplib::Response& response) {
  // httplib cannot reset a connection from a handler: the status line goes out, then the
  // connection closes before the promised body. Clients see a transfer error.
  response.set_content_provider(1024, "application/json",
                                [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
}

}  // namespace

NodeServer::NodeServer(std::string fault_name, FaultInjector& faults, NodeHandler handler,
                       const std::string& tcp_host)
    : fault_name_(std::move(fault_name)),
      faults_(faults),
      handler_(std::move(handler)),
      tcp_host_(tcp_host) {
  server_.new_task_queue = [] { return new httplib::ThreadPool(8); };
  server_.set_keep_alive_timeout(2);
  server_.set_tcp_nodelay(true);  // else each kept-alive response waits for a delayed ACK
  server_.set_default_headers({{"Server", "Couchbase Server"}});
  // Catch-all handlers rather than a pre-routing handler: only handlers see the form body.
  const auto serve_any = [this](const httplib::Request& request, httplib::Response& response) {
    serve(request, response);
  };
  server_.Get(".*", serve_any);
  server_.Post(".*", serve_any);
  server_.Put(".*", serve_any);
  server_.Patch(".*", serve_any);
  server_.Delete(".*", serve_any);
  server_.Options(".*", serve_any);
  const int backend_port = server_.bind_to_any_port("127.0.0.1");
  if (backend_port <= 0) {
    throw std::runtime_error("Couchbase node " + fault_name_ + ": cannot bind a port");
  }
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // httplib's stop() does nothing before listening has begun: wait for it to begin.
  for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  try {
    proxy_ = SocketProxy::on_tcp(tcp_host_, 0, backend_port);
  } catch (...) {
    stop();
    throw;
  }
}

NodeServer::~NodeServer() {
  stop();
}

std::string NodeServer::url() const {
  return "http://" + tcp_host_ + ":" + std::to_string(proxy_->tcp_port());
}

void NodeServer::set_refusing(bool refusing) {
  proxy_->set_refusing(refusing);
}

void NodeServer::stop() {
  if (stopped_.exchange(true)) {
    return;
  }
  if (proxy_) {
    proxy_->stop();
  }
  server_.stop();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void NodeServer::serve(const httplib::Request& http, httplib::Response& response) {
  if (const auto fault = faults_.match(fault_name_, http.method, http.path)) {
    if (fault->latency_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(fault->latency_ms));
    }
    if (fault->hang) {
      faults_.hold(*fault);
    }
    if (fault->drop) {
      return drop(response);
    }
    if (fault->status != 0) {
      response.status = fault->status;
      response.set_content(fault->message, "text/plain");
      return;
    }
  }
  Request request;
  request.method = http.method;
  request.path = http.path;
  for (const auto& [key, item] : http.params) {
    request.params.emplace(key, item);
  }
  request.authorization = http.get_header_value("Authorization");
  request.quiet_auth = http.get_header_value("invalid-auth-response") == "on";
  const auto reply = handler_(request);
  if (!reply) {
    return drop(response);
  }
  response.status = reply->status;
  if (needs_www_authenticate(request, *reply)) {
    response.set_header("WWW-Authenticate", "Basic realm=\"Couchbase Server Admin / REST\"");
  }
  if (!reply->body.empty()) {
    response.set_content(reply->body, reply->content_type);
  }
}

}  // namespace swarmop::sim::couchbase

#include "swarmop/sim/engine_server.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "engine_impl.hpp"

namespace swarmop::sim {

namespace engine {

namespace {

// The engine's API version window (GET /version: ApiVersion, MinAPIVersion).
constexpr std::pair<int, int> kMinApi{1, 12};
constexpr std::pair<int, int> kMaxApi{1, 41};

}  // namespace

void reply(httplib::Response& response, const ApiReply& result) {
  response.status = result.status;
  if (result.body.is_null()) {
    response.body.clear();
    return;
  }
  response.set_content(boost::json::serialize(result.body) + "\n", "application/json");
}

std::string path_arg(const httplib::Request& request, std::size_t n) {
  // Group 1 is the optional version prefix.
  return request.matches.size() > n + 1 ? std::string(request.matches[n + 1]) : "";
}

void route(EngineServer::Impl& engine, const std::string& method, const std::string& pattern,
           Handler handler) {
  const std::string full = "(/v[0-9]+\\.[0-9]+)?" + pattern;
  auto versioned = [handler = std::move(handler)](const httplib::Request& request,
                                                  httplib::Response& response) {
    const std::string prefix = request.matches.size() > 1 ? std::string(request.matches[1]) : "";
    if (!prefix.empty()) {
      const std::string version = prefix.substr(2);
      const auto dot = version.find('.');
      const std::pair<int, int> asked{std::stoi(version.substr(0, dot)),
                                      std::stoi(version.substr(dot + 1))};
      if (asked < kMinApi) {
        return reply(response,
                     ApiReply::error(400, "client version " + version +
                                              " is too old. Minimum supported API version is "
                                              "1.12, please upgrade your client to a newer "
                                              "version"));
      }
      if (asked > kMaxApi) {
        return reply(response,
                     ApiReply::error(400, "client version " + version +
                                              " is too new. Maximum supported API version is "
                                              "1.41"));
      }
    }
    handler(request, response);
  };
  if (method == "GET") {
    engine.server.Get(full, versioned);
  } else if (method == "POST") {
    engine.server.Post(full, versioned);
  } else if (method == "DELETE") {
    engine.server.Delete(full, versioned);
  } else {
    throw std::logic_error("unsupported method " + method);
  }
}

}  // namespace engine

namespace {

//! Applies a matching fault rule; true when the fault answered the request itself.
bool apply_fault(EngineServer::Impl& engine, const httplib::Request& request,
                 httplib::Response& response) {
  if (request.path.starts_with("/_sim")) {
    return false;  // the test API is never faulted
  }
  const auto action = engine.faults.match(engine.options.hostname, request.method, request.path);
  if (!action) {
    return false;
  }
  if (action->latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(action->latency_ms));
  }
  if (action->hang) {
    engine.faults.hold(*action);
  }
  if (action->drop) {
    // httplib cannot reset a connection from a handler: the status line goes out, then the
    // connection closes before the promised body. Clients see a transfer error.
    response.set_content_provider(
        1024, "application/json",
        [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
    return true;
  }
  if (action->status != 0) {
    engine::reply(response, ApiReply::error(action->status, action->message));
    return true;
  }
  return false;
}

}  // namespace

EngineServer::EngineServer(SwarmWorld& world, FaultInjector& faults, SimControlHandler control,
                           EngineServerOptions options)
    : impl_(std::make_unique<Impl>(world, faults, std::move(control), std::move(options))) {
  auto& server = impl_->server;
  // Event streams hold a worker thread each; keep-alive connections too.
  server.new_task_queue = [] { return new httplib::ThreadPool(48); };
  server.set_keep_alive_timeout(2);
  server.set_payload_max_length(16 * 1024 * 1024);
  server.set_default_headers({{"Api-Version", "1.41"},
                              {"Docker-Experimental", "false"},
                              {"Ostype", "linux"},
                              {"Server", "Docker/20.10.24+dfsg1 (linux)"}});
  // A response goes out as header then body; with Nagle on, the body waits for the client's
  // delayed ACK (40 ms per request on a kept-alive connection).
  server.set_tcp_nodelay(true);
  server.set_pre_routing_handler(
      [impl = impl_.get()](const httplib::Request& request, httplib::Response& response) {
        return apply_fault(*impl, request, response) ? httplib::Server::HandlerResponse::Handled
                                                     : httplib::Server::HandlerResponse::Unhandled;
      });
  if (impl_->options.after_write) {
    server.set_post_routing_handler(
        [impl = impl_.get()](const httplib::Request& request, httplib::Response&) {
          if (request.method != "GET" && request.method != "HEAD") {
            impl->options.after_write();
          }
        });
  }
  server.set_error_handler([](const httplib::Request&, httplib::Response& response) {
    if (response.status == 404 && response.body.empty()) {
      engine::reply(response, ApiReply::error(404, "page not found"));
    }
  });
  engine::install_system_routes(*impl_);
  engine::install_cluster_routes(*impl_);
  engine::install_event_route(*impl_);
  engine::install_control_routes(*impl_);

  impl_->backend_port = server.bind_to_any_port("127.0.0.1");
  if (impl_->backend_port <= 0) {
    throw std::runtime_error("engine " + impl_->options.hostname + ": cannot bind a port");
  }
  impl_->thread = std::thread([impl = impl_.get()] { impl->server.listen_after_bind(); });
  // httplib's stop() does nothing before listening has begun: wait for it to begin.
  for (int i = 0; i < 5000 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  try {
    if (impl_->options.tcp_port >= 0) {
      impl_->tcp_proxy = SocketProxy::on_tcp(impl_->options.tcp_host, impl_->options.tcp_port,
                                             impl_->backend_port);
    }
    if (!impl_->options.unix_socket_path.empty()) {
      impl_->unix_proxy =
          SocketProxy::on_unix_socket(impl_->options.unix_socket_path, impl_->backend_port);
    }
  } catch (...) {
    stop();
    throw;
  }
}

EngineServer::~EngineServer() {
  stop();
}

const std::string& EngineServer::hostname() const {
  return impl_->options.hostname;
}

std::string EngineServer::tcp_address() const {
  return impl_->tcp_proxy ? impl_->tcp_proxy->address() : "";
}

std::string EngineServer::unix_address() const {
  return impl_->unix_proxy ? impl_->unix_proxy->address() : "";
}

int EngineServer::tcp_port() const {
  return impl_->tcp_proxy ? impl_->tcp_proxy->tcp_port() : 0;
}

void EngineServer::set_reachable(bool reachable) {
  impl_->reachable = reachable;
  for (auto* proxy : {impl_->tcp_proxy.get(), impl_->unix_proxy.get()}) {
    if (proxy != nullptr) {
      proxy->set_refusing(!reachable);
    }
  }
}

void EngineServer::stop() {
  if (impl_->stopping.exchange(true)) {
    return;
  }
  // Proxies first: closing the client connections ends httplib's keep-alive waits at once.
  for (auto* proxy : {impl_->tcp_proxy.get(), impl_->unix_proxy.get()}) {
    if (proxy != nullptr) {
      proxy->stop();
    }
  }
  impl_->server.stop();
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
}

}  // namespace swarmop::sim

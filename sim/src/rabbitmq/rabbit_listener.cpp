#include "rabbit_listener.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace swarmop::sim::rabbitmq {

namespace {

HttpCall to_call(const std::string& node, const httplib::Request& request) {
  HttpCall call;
  call.node = node;
  call.method = request.method;
  // The raw target keeps %2F (the vhost "/") inside one segment; httplib's path is decoded.
  std::string raw = request.target.empty() ? request.path : request.target;
  raw = raw.substr(0, raw.find('?'));
  std::size_t start = 1;
  while (start <= raw.size()) {
    const std::size_t slash = raw.find('/', start);
    const std::string segment =
        raw.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    call.segments.push_back(percent_decode(segment));
    if (slash == std::string::npos) {
      break;
    }
    start = slash + 1;
  }
  if (!call.segments.empty() && call.segments.back().empty()) {
    call.segments.pop_back();  // "/api/queues/" is "/api/queues"
  }
  for (const auto& [key, value] : request.params) {
    call.query[key] = value;
  }
  call.body = request.body;
  call.authorization = request.get_header_value("Authorization");
  return call;
}

void send(httplib::Response& response, const HttpAnswer& answer) {
  response.status = answer.status;
  std::string type;
  for (const auto& [name, value] : answer.headers) {
    if (name == "content-type") {
      type = value;
    } else {
      response.set_header(name, value);
    }
  }
  if (!answer.body.empty()) {
    response.set_content(answer.body, type.empty() ? "application/json" : type.c_str());
  }
}

}  // namespace

RabbitListener::RabbitListener(std::string node, const std::string& host, int port, Handler handler,
                               FaultInjector& faults)
    : node_(std::move(node)), host_(host), handler_(std::move(handler)), faults_(faults) {
  // httplib binds with SO_REUSEPORT: a reservation with the same option may share the port as
  // long as it never listens, and only a listening socket accepts.
  reservation_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int yes = 1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (reservation_ < 0 ||
      ::setsockopt(reservation_, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof(yes)) != 0 ||
      ::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1 ||
      ::bind(reservation_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    if (reservation_ >= 0) {
      ::close(reservation_);
    }
    throw std::runtime_error("rabbit node " + node_ + ": cannot reserve " + host + ":" +
                             std::to_string(port));
  }
  socklen_t length = sizeof(address);
  ::getsockname(reservation_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
}

RabbitListener::~RabbitListener() {
  set_open(false);
  ::close(reservation_);
}

void RabbitListener::set_open(bool open_now) {
  std::lock_guard lock(mutex_);
  if (open_now && !server_) {
    open();
  } else if (!open_now && server_) {
    close();
  }
}

void RabbitListener::open() {
  server_ = std::make_unique<httplib::Server>();
  // One request per connection, so a closing port never waits on idle keep-alive connections
  // (clients reconnect). The timeout still matters: httplib waits that long for a new
  // connection's first request, and with 0 a request arriving a few milliseconds after the
  // connect on a loaded machine was dropped unanswered ("Empty reply from server").
  server_->set_keep_alive_max_count(1);
  server_->set_keep_alive_timeout(2);
  server_->set_tcp_nodelay(true);  // else a response body waits for a delayed ACK
  server_->new_task_queue = [] { return new httplib::ThreadPool(8); };
  server_->set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        const auto action = faults_.match(node_, request.method, request.path);
        if (!action) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        if (action->latency_ms > 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(action->latency_ms));
        }
        if (action->hang) {
          faults_.hold(*action);
        }
        if (action->drop) {
          // The status line goes out, then the connection closes before the promised body.
          response.set_content_provider(
              1024, "application/json",
              [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
          return httplib::Server::HandlerResponse::Handled;
        }
        if (action->status != 0) {
          send(response, json_answer(action->status, json::object{{"error", "injected_fault"},
                                                                  {"reason", action->message}}));
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  const auto handle = [this](const httplib::Request& request, httplib::Response& response) {
    send(response, handler_(to_call(node_, request)));
  };
  server_->Get(".*", handle);
  server_->Put(".*", handle);
  server_->Post(".*", handle);
  server_->Delete(".*", handle);
  server_->Patch(".*", handle);
  if (!server_->bind_to_port(host_, port_)) {
    server_.reset();
    throw std::runtime_error("rabbit node " + node_ + ": cannot listen on port " +
                             std::to_string(port_));
  }
  thread_ = std::thread([server = server_.get()] { server->listen_after_bind(); });
  // httplib's stop() does nothing before listening has begun.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void RabbitListener::close() {
  server_->stop();
  if (thread_.joinable()) {
    thread_.join();
  }
  server_.reset();
}

}  // namespace swarmop::sim::rabbitmq

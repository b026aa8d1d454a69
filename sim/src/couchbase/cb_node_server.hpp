#pragma once

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "cb_routes.hpp"
#include "swarmop/sim/fault_injector.hpp"
#include "swarmop/sim/socket_proxy.hpp"

namespace swarmop::sim::couchbase {

//! Turns one request into a reply, or nullopt to drop the connection (the node is not
//! running). Called on the server's threads.
using NodeHandler = std::function<std::optional<Reply>(const Request&)>;

//! One Couchbase node's admin port: cpp-httplib on an internal loopback port behind a TCP
//! proxy, so the public port stays the same while the node is down (refusing) and up again.
class NodeServer {
 public:
  NodeServer(std::string fault_name, FaultInjector& faults, NodeHandler handler,
             const std::string& tcp_host);
  ~NodeServer();
  NodeServer(const NodeServer&) = delete;
  NodeServer& operator=(const NodeServer&) = delete;

  std::string url() const;  //!< http://127.0.0.1:PORT
  void set_refusing(bool refusing);
  void stop();

 private:
  void serve(const httplib::Request& request, httplib::Response& response);

  std::string fault_name_;
  FaultInjector& faults_;
  NodeHandler handler_;
  httplib::Server server_;
  std::thread thread_;
  std::unique_ptr<SocketProxy> proxy_;
  std::atomic<bool> stopped_{false};
  std::string tcp_host_;
};

}  // namespace swarmop::sim::couchbase

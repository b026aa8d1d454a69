#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "broker.hpp"

namespace httplib {
class Server;
}

namespace swarmop::sim::rabbitmq {

//! One rabbit node's management port. While closed, the port stays reserved by a bound socket
//! that does not listen, so connections are refused (ECONNREFUSED) exactly as by a stopped or
//! paused node, and the node comes back on the same port.
class RabbitListener {
 public:
  using Handler = std::function<HttpAnswer(HttpCall)>;

  //! Reserves `port` on `host` (0: a free port). Throws when it cannot.
  RabbitListener(std::string node, const std::string& host, int port, Handler handler,
                 FaultInjector& faults);
  ~RabbitListener();
  RabbitListener(const RabbitListener&) = delete;
  RabbitListener& operator=(const RabbitListener&) = delete;

  int port() const { return port_; }
  //! Starts or stops accepting; closing also ends live keep-alive connections.
  void set_open(bool open);

 private:
  void open();
  void close();

  std::string node_;
  std::string host_;
  int port_ = 0;
  int reservation_ = -1;
  Handler handler_;
  FaultInjector& faults_;
  std::mutex mutex_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace swarmop::sim::rabbitmq

#pragma once

#include <memory>
#include <string>
#include <thread>

#include "watch/status_board.hpp"

namespace httplib {
class Server;
}

namespace swarmop::watch {

//! The controller's read-only HTTP endpoints (cpp-httplib, on their own threads): /healthz
//! (the process answers), /readyz (desired state loaded and the swarm reachable: 200, else
//! 503), /status (JSON) and /metrics (Prometheus text). Everything served comes from the
//! status board, which holds no secret.
class HttpEndpoints {
 public:
  explicit HttpEndpoints(const StatusBoard& board);
  ~HttpEndpoints();
  HttpEndpoints(const HttpEndpoints&) = delete;
  HttpEndpoints& operator=(const HttpEndpoints&) = delete;

  //! Binds "HOST:PORT" (port 0: any free one) and serves; returns the port, or 0 with error().
  int start(const std::string& listen);
  void stop();
  const std::string& error() const { return error_; }

 private:
  const StatusBoard& board_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string error_;
};

//! Whether an address is loopback (127.0.0.0/8, ::1, localhost): anything else needs an
//! explicit flag.
bool is_loopback_listen(const std::string& listen);

}  // namespace swarmop::watch

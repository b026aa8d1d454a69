#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "watch/status_board.hpp"

namespace swarmop::watch {

class BoundedHttpServer;

//! The controller's read-only HTTP endpoints (cpp-httplib, on their own threads): /healthz
//! (the process answers and its event loop turns), /readyz (desired state loaded and the swarm
//! reachable: 200, else 503), /status (JSON) and /metrics (Prometheus text). Everything served
//! comes from the status board, which holds no secret. Each connection is bounded in time and size
//! (BoundedHttpServer), so slow, idle or oversized clients cannot starve /healthz.
class HttpEndpoints {
 public:
  //! /healthz fails (503) once the controller's event loop has not turned for `stall_bound`.
  explicit HttpEndpoints(const StatusBoard& board,
                         std::chrono::milliseconds stall_bound = std::chrono::seconds(15));
  ~HttpEndpoints();
  HttpEndpoints(const HttpEndpoints&) = delete;
  HttpEndpoints& operator=(const HttpEndpoints&) = delete;

  //! Binds "HOST:PORT" (port 0: any free one) and serves; returns the port, or 0 with error()
  //! saying why (the resolver's or the system's reason).
  int start(const std::string& listen);
  void stop();
  const std::string& error() const { return error_; }

 private:
  const StatusBoard& board_;
  std::chrono::milliseconds stall_bound_;
  std::unique_ptr<BoundedHttpServer> server_;
  std::thread thread_;
  std::string error_;
};

//! A --listen address split into its parts.
struct ListenAddress {
  std::string host;  //!< without the brackets of "[V6]:PORT"
  int port = 0;      //!< 0: any free port
};

//! Parses "HOST:PORT" or "[V6]:PORT" with a port of 0 to 65535; nullopt with `error` set to what
//! is wrong (no port, a bad port, no host).
std::optional<ListenAddress> parse_listen(const std::string& listen, std::string& error);

//! Whether a --listen address may be served without --listen-any, and if not why.
struct LoopbackCheck {
  enum class Verdict { kLoopback, kBadAddress, kUnresolved, kNotLoopback };
  Verdict verdict = Verdict::kBadAddress;
  std::string reason;  //!< empty for kLoopback
};

//! Resolves the host (getaddrinfo, as the bind does) and checks that every address it gives is
//! loopback (127.0.0.0/8, ::1, or ::ffff:127.x.x.x): a name is judged by what it resolves to,
//! never by how it is spelled ("127.evil.example" is a name like any other).
LoopbackCheck check_loopback_listen(const std::string& listen);
bool is_loopback_listen(const std::string& listen);

}  // namespace swarmop::watch

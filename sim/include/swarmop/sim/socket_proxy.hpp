#pragma once

#include <memory>
#include <string>

namespace swarmop::sim {

//! Accepts connections on a unix socket or a TCP port and splices each one, both ways, to a
//! TCP port on 127.0.0.1. cpp-httplib 0.11 cannot listen on a unix socket, so every simulated
//! engine is an httplib server on an internal port behind such proxies. The proxy also plays
//! a dead daemon: while refusing, it closes new and live connections at once.
class SocketProxy {
 public:
  virtual ~SocketProxy() = default;

  //! Listens on `path` (an existing file there is replaced). Throws on failure.
  static std::unique_ptr<SocketProxy> on_unix_socket(const std::string& path, int backend_port);
  //! Listens on host:port (port 0: any free port). Throws on failure.
  static std::unique_ptr<SocketProxy> on_tcp(const std::string& host, int port, int backend_port);

  //! "unix:///path" or "tcp://127.0.0.1:port", as DOCKER_HOST spells it.
  virtual std::string address() const = 0;
  virtual int tcp_port() const = 0;  //!< 0 for unix sockets
  //! true: behave like a port nobody serves (connections are closed at once, live ones too).
  virtual void set_refusing(bool refusing) = 0;
  //! Closes the listener and every connection, and joins the I/O thread. Idempotent.
  virtual void stop() = 0;
};

}  // namespace swarmop::sim

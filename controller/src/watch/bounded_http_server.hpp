#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>

namespace swarmop::watch {

//! What one connection may cost the read-only endpoints. A connection holds a worker thread
//! from the moment a worker takes it until it is closed, so every wait is bounded in total, not
//! per read: a client sending a byte a second never trips a per-read timeout.
struct HttpLimits {
  //! The request line and headers must all arrive this soon after the connection was accepted
  //! (time spent queued for a worker counts): idle and slow clients are dropped after it.
  std::chrono::milliseconds request_deadline{2000};
  //! The whole response must be written this soon after its first byte.
  std::chrono::milliseconds write_deadline{2000};
  //! After the response, what the client still sends is read and dropped for at most this long
  //! and this many bytes before the close (see linger_close in the .cpp).
  std::chrono::milliseconds linger{200};
  std::size_t linger_bytes = 64 * 1024;
  //! Request line plus headers; requests carry no body here.
  std::size_t max_request_bytes = 16 * 1024;
  //! Enough that dozens of idle or slow connections leave workers free for /healthz; each
  //! idle thread costs about 10 KiB of RSS.
  std::size_t workers = 64;
  //! Pending connections the kernel keeps before answering SYNs no more (httplib's is 5).
  int backlog = 64;
};

//! cpp-httplib's server (0.11.4, Debian 12) with every connection bounded as HttpLimits says:
//! one request per connection, no request body ever read (anything but GET/HEAD is answered 405
//! from its headers, a body 413), and a bind that fails when the port is taken (httplib's
//! default SO_REUSEPORT would let a second controller share it silently).
class BoundedHttpServer : public httplib::Server {
 public:
  explicit BoundedHttpServer(HttpLimits limits = {});

  //! After bind_to_port/bind_to_any_port: raises the listen backlog to limits.backlog.
  void widen_backlog();

 private:
  // httplib's per-connection entry point (a private virtual: overriding it is how its
  // keep-alive loop and per-read timeouts are replaced by the bounds above).
  bool process_and_close_socket(socket_t sock) override;

  HttpLimits limits_;
};

}  // namespace swarmop::watch

#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "swarmop/model/expected.hpp"

namespace swarmop::clients {

struct HttpRequest {
  std::string method = "GET";
  std::string path;  //!< path and query: "/v1.41/nodes?filters=..."
  std::string body;
  std::string content_type;  //!< sent only with a body
  std::chrono::milliseconds timeout{30'000};
  //! A longer answer is cut off and reported as an error: a broken or hostile server must not
  //! make the controller run out of memory. 256 MiB is far above the largest real answer (the
  //! task list of a large swarm is tens of MiB).
  std::size_t max_body_bytes = std::size_t{256} << 20;
  //! Once true, the call is abandoned mid-flight (a watch controller whose shutdown grace is
  //! over), reported as a transient failure. nullptr: never.
  const std::atomic<bool>* abandon = nullptr;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  //!< names lower-cased
};

//! One HTTP API endpoint. Implementations report transport failures (refused, reset, timed
//! out, TLS) as model::Error with code kTransient and never retry on their own: whether a
//! request may be repeated is the caller's decision.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  //! Any HTTP status is a successful exchange here; status handling is the caller's.
  virtual model::Expected<HttpResponse> send(const HttpRequest& request) = 0;

  //! A long-lived response (an event stream). `on_data` receives bytes as they arrive and
  //! returns false to stop; `cancel`, when set, stops the stream from another thread. Returns
  //! the status line's code once the stream ends normally.
  virtual model::Expected<int> stream(const HttpRequest& request,
                                      const std::function<bool(std::string_view)>& on_data,
                                      const std::atomic<bool>* cancel) = 0;

  virtual std::string display() const = 0;

  //! `text` (a server's error answer) with every secret this transport sends masked, so that
  //! an answer echoing a request can never carry one into a message, log or status. The base
  //! masks swarm join tokens; a transport with credentials masks its password too.
  virtual std::string redact(std::string text) const;
};

//! `text` with every occurrence of `secret` replaced by "***" (nothing when `secret` is empty).
std::string mask_secret(std::string text, const std::string& secret);

}  // namespace swarmop::clients

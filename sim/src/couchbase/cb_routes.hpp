#pragma once

#include <string>

#include "cb_model.hpp"

//! The admin REST API's routing, authentication and error shapes, over the model; no sockets.
namespace swarmop::sim::couchbase {

struct Request {
  std::string method;
  std::string path;  //!< without the query
  Form params;       //!< query and form fields together
  std::string authorization;
  //! "invalid-auth-response: on": a 401 without WWW-Authenticate (the web UI asks for this).
  bool quiet_auth = false;
};

//! What `via` answers to `request` at `now`. A 401 carries the WWW-Authenticate header unless
//! the request asked otherwise: see needs_www_authenticate.
Reply answer(ClusterModel& model, NodeState& via, const Request& request, UnixNanos now);
bool needs_www_authenticate(const Request& request, const Reply& reply);
//! "Basic <base64(user:password)>" -> "user:password"; empty when malformed.
std::string decode_basic_auth(const std::string& header);

}  // namespace swarmop::sim::couchbase

#pragma once

#include <string>

namespace swarmop::model {

//! What kind of failure, which decides what the caller does next.
enum class ErrorCode {
  kTransient,  //!< connection refused, timeout, 5xx: retry later with backoff
  kConflict,   //!< the object changed since it was read ("update out of sequence"): re-observe
  kNotFound,   //!< 404: the object does not exist
  kInvalid,    //!< the request was refused as malformed or not allowed (4xx): retrying won't help
  kUnauthorized,  //!< 401/403: credentials wrong or missing
  kUnsafe,        //!< a safety guard refused a step
  kInternal,      //!< a bug, or an answer we could not understand
};

std::string_view to_string(ErrorCode code);

//! A failed operation, saying what was attempted against what, and what came back. Never holds
//! credentials: clients build messages from the method, path and the server's own error text.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;         //!< "update node node2: 500 update out of sequence"
  std::string target;          //!< "docker unix:///var/run/docker.sock"
  std::string operation;       //!< "POST /v1.41/nodes/abc/update"
  int http_status = 0;         //!< 0 when no HTTP response came back
  std::string server_message;  //!< the server's own error text, if any
  //! The request provably never reached the server (connection refused, name not resolved), so
  //! sending it elsewhere cannot apply it twice.
  bool not_sent = false;

  std::string describe() const;  //!< one line for logs and status
};

}  // namespace swarmop::model

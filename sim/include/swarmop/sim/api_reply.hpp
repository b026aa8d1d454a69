#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace swarmop::sim {

//! What an Engine API call answers: a status and a JSON body (null: an empty body).
struct ApiReply {
  int status = 200;
  boost::json::value body;

  bool ok() const { return status >= 200 && status < 300; }
  //! The engine's error shape: {"message": "..."}.
  static ApiReply error(int status, std::string message);
  //! The message of an error reply, empty otherwise.
  std::string message() const;
};

}  // namespace swarmop::sim

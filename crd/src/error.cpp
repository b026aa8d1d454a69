#include "swarmop/model/error.hpp"

namespace swarmop::model {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTransient:
      return "Transient";
    case ErrorCode::kConflict:
      return "Conflict";
    case ErrorCode::kNotFound:
      return "NotFound";
    case ErrorCode::kInvalid:
      return "Invalid";
    case ErrorCode::kUnauthorized:
      return "Unauthorized";
    case ErrorCode::kUnsafe:
      return "Unsafe";
    case ErrorCode::kInternal:
      return "Internal";
  }
  return "Internal";
}

std::string Error::describe() const {
  std::string out = message;
  if (!operation.empty()) {
    out += " [" + operation;
    if (!target.empty()) {
      out += " on " + target;
    }
    if (http_status != 0) {
      out += " -> " + std::to_string(http_status);
    }
    out += "]";
  }
  return out;
}

}  // namespace swarmop::model

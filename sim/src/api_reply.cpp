#include "swarmop/sim/api_reply.hpp"

#include <boost/json/object.hpp>

namespace swarmop::sim {

ApiReply ApiReply::error(int status, std::string message) {
  ApiReply reply;
  reply.status = status;
  reply.body = boost::json::object{{"message", std::move(message)}};
  return reply;
}

std::string ApiReply::message() const {
  if (const auto* object = body.if_object()) {
    if (const auto* text = object->if_contains("message"); text && text->is_string()) {
      return std::string(text->get_string());
    }
  }
  return {};
}

}  // namespace swarmop::sim

#pragma once

#include <curl/curl.h>

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "swarmop/clients/http_transport.hpp"
#include "swarmop/model/expected.hpp"

//! Small pieces every HTTP client of this layer shares.
namespace swarmop::clients::http_common {

//! Percent-encodes a path segment, query value or form value.
inline std::string url_escape(std::string_view text) {
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  std::string out = escaped != nullptr ? escaped : "";
  curl_free(escaped);
  return out;
}

//! The usual mapping of an HTTP status to what the caller should do (the Docker client has its
//! own, because the engine reports version conflicts as 500).
inline model::ErrorCode classify_status(int status) {
  if (status == 401 || status == 403) {
    return model::ErrorCode::kUnauthorized;
  }
  if (status == 404) {
    return model::ErrorCode::kNotFound;
  }
  if (status >= 500) {
    return model::ErrorCode::kTransient;
  }
  return model::ErrorCode::kInvalid;
}

//! Parses a response body as JSON and hands it to `decode`; a transport error or a body that
//! is not JSON becomes the error ("unexpected response from SERVER: ...").
template <class Decode>
auto decode_json_body(const model::Expected<HttpResponse>& response, std::string_view server,
                      Decode decode) -> decltype(decode(boost::json::value())) {
  if (!response) {
    return response.error();
  }
  boost::json::error_code ec;
  const boost::json::value value = boost::json::parse(response->body, ec);
  if (ec) {
    model::Error error;
    error.code = model::ErrorCode::kInternal;
    error.message = "unexpected response from " + std::string(server) + ": not valid JSON (" +
                    ec.message() + ")";
    return error;
  }
  return decode(value);
}

}  // namespace swarmop::clients::http_common

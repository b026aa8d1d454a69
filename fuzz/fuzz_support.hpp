// What the JSON libFuzzer targets (fuzz_docker_json, fuzz_couchbase_json, fuzz_rabbitmq_json)
// share: the input size limit, the checks that abort on a broken promise of the API, and the
// preamble of every input (refuse oversized input, give the raw bytes to the error-body reader,
// skip a body that is not JSON as the clients do, decode the rest).
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "swarmop/model/expected.hpp"

namespace swarmop::fuzz {

inline constexpr std::size_t kMaxInput = 1 << 20;  // 1 MiB

inline volatile std::size_t sink = 0;  // keeps the targets' reads from being optimised away

// A check that survives NDEBUG (RelWithDebInfo): a broken promise of the API is a crash.
inline void require(bool condition) {
  if (!condition) {
    std::abort();
  }
}

// A decoder that fails says why.
template <class T>
void expect_error_or(const model::Expected<T>& decoded) {
  if (!decoded) {
    require(!decoded.error().message.empty());
    sink = sink + decoded.error().describe().size();
  }
}

// The body as JSON, parsed as http_common::decode_json_body does; nothing when it is not JSON.
inline std::optional<boost::json::value> parse_json(std::string_view body) {
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) {
    return std::nullopt;
  }
  return value;
}

// One input of a JSON target, the body of an API response: input over kMaxInput is refused
// (-1 keeps it out of the corpus); `read_error` gets the raw bytes, whatever they hold;
// `parse` turns them into JSON (an optional or an Expected), and `decode` runs only on a
// body that parsed: the decoders never see one that is not JSON.
template <class Parse, class ReadError, class Decode>
int run_json_target(const std::uint8_t* data, std::size_t size, Parse parse, ReadError read_error,
                    Decode decode) {
  if (size > kMaxInput) {
    return -1;
  }
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  read_error(body);
  const auto parsed = parse(body);
  if (!parsed) {
    return 0;  // not JSON: the decoders never see it
  }
  decode(*parsed);
  return 0;
}

}  // namespace swarmop::fuzz

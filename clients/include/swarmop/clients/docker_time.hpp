#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarmop::clients {

//! Seconds since the epoch of a Docker API timestamp: RFC 3339 with optional fractional
//! seconds and a `Z` or `+hh:mm` offset ("2026-11-26T04:12:26.123456789Z"; `/info`'s SystemTime
//! carries the engine's local offset). nullopt for anything else, including Go's zero time
//! ("0001-01-01T00:00:00Z"), which the API uses for "never".
std::optional<std::int64_t> parse_docker_time(std::string_view text);

//! The same seconds as the API writes them, in UTC: "2026-11-26T04:12:26Z".
std::string format_docker_time(std::int64_t seconds);

}  // namespace swarmop::clients

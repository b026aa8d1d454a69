#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace swarmop::model {

//! Parses byte sizes the way Docker Compose writes them: `512M`, `2G`, `1.5g`, `64KiB`, `100b`.
//! Units are 1024-based. Returns nullopt for malformed text or values above 2^63.
std::optional<std::int64_t> parse_size(std::string_view text);

}  // namespace swarmop::model

#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace swarmop::model {

using Duration = std::chrono::milliseconds;

//! Parses Go-style durations as the desired-state file writes them: `500ms`, `20s`, `2m`,
//! `1h30m`, `1.5s`. Units: h, m, s, ms. Returns nullopt for anything else.
std::optional<Duration> parse_duration(std::string_view text);

//! The shortest spelling that parses back to the same value (`90000ms` -> `1m30s`).
std::string format_duration(Duration duration);

}  // namespace swarmop::model

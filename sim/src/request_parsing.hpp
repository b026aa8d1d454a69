#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

//! Reading request parameters and bodies the way the Go daemon does, with its error texts.
namespace swarmop::sim::request {

//! Parses an object body; on failure returns the daemon's 400 message in `error`.
std::optional<boost::json::object> json_object_body(const std::string& body,
                                                    const std::string& go_type, std::string& error);

//! `?version=` as strconv.ParseUint reads it; on failure the engine's 400 message.
std::optional<std::uint64_t> object_version(const std::optional<std::string>& raw,
                                            const std::string& kind, std::string& error);

//! `?filters=` in either shape the engine accepts: {"k":["v"]} or {"k":{"v":true}}.
using Filters = std::map<std::string, std::vector<std::string>>;
std::optional<Filters> filters(const std::string& raw, std::string& error);

//! True when `value` equals one of the filter's values, or the filter is absent.
bool matches(const Filters& filters, const std::string& key, const std::string& value);

}  // namespace swarmop::sim::request

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarmop::model::detail {

//! The candidate closest to `word` (case-insensitive edit distance), if it is close enough to
//! be a plausible typo: used for "unknown field ...; did you mean ...?".
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

}  // namespace swarmop::model::detail

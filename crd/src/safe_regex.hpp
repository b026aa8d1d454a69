#pragma once

#include <regex>
#include <string>

namespace swarmop::model::detail {

//! A regex for matching text read from a desired-state file. libstdc++'s default executor
//! backtracks by recursion, a few stack frames for every character of the input: one string of
//! 50,000 characters in a file overflowed the stack (found by fuzz/fuzz_desired_state). The
//! polynomial executor, a libstdc++ extension, walks the input breadth-first: its stack depth
//! depends on the pattern only, and its time is polynomial. It refuses back-references, which no
//! pattern of the schema or of this library uses; matching results are the same.
inline std::regex make_regex(const std::string& pattern) {
#if defined(__GLIBCXX__)
  return std::regex(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
#else
  return std::regex(pattern);
#endif
}

}  // namespace swarmop::model::detail

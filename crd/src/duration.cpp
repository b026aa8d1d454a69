#include "swarmop/model/duration.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace swarmop::model {

namespace {

// Milliseconds per unit; the order matters: "ms" must be tried before "m".
struct Unit {
  std::string_view suffix;
  double millis;
};
constexpr Unit kUnits[] = {{"ms", 1.0}, {"h", 3'600'000.0}, {"m", 60'000.0}, {"s", 1'000.0}};

// Ten years: anything longer is a typo, and keeping values small keeps arithmetic safe.
constexpr double kMaxMillis = 10.0 * 365 * 24 * 3'600'000.0;

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  double total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t number_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ++pos;
    }
    if (pos == number_start) {
      return std::nullopt;
    }
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      const std::size_t fraction_start = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        ++pos;
      }
      if (pos == fraction_start) {
        return std::nullopt;
      }
    }
    // strtod never throws; a number of hundreds of digits becomes huge and fails the cap.
    const std::string number(text.substr(number_start, pos - number_start));
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.substr(pos, candidate.suffix.size()) == candidate.suffix) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) {
      return std::nullopt;
    }
    pos += unit->suffix.size();
    total += std::strtod(number.c_str(), nullptr) * unit->millis;
    if (total > kMaxMillis) {
      return std::nullopt;
    }
  }
  return Duration(static_cast<std::int64_t>(std::llround(total)));
}

std::string format_duration(Duration duration) {
  std::int64_t ms = duration.count();
  if (ms == 0) {
    return "0s";
  }
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  const std::int64_t hours = ms / 3'600'000;
  ms %= 3'600'000;
  const std::int64_t minutes = ms / 60'000;
  ms %= 60'000;
  const std::int64_t seconds = ms / 1'000;
  ms %= 1'000;
  if (hours > 0) {
    out += std::to_string(hours) + "h";
  }
  if (minutes > 0) {
    out += std::to_string(minutes) + "m";
  }
  if (seconds > 0) {
    out += std::to_string(seconds) + "s";
  }
  if (ms > 0) {
    out += std::to_string(ms) + "ms";
  }
  return out;
}

}  // namespace swarmop::model

#include "swarmop/clients/docker_time.hpp"

#include <cctype>
#include <ctime>

namespace swarmop::clients {

namespace {

// Reads exactly `width` digits at `at`, advancing it.
std::optional<int> digits(std::string_view text, std::size_t& at, std::size_t width) {
  if (at + width > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[at + i];
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  at += width;
  return value;
}

bool expect(std::string_view text, std::size_t& at, char wanted) {
  if (at >= text.size() || text[at] != wanted) {
    return false;
  }
  ++at;
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_docker_time(std::string_view text) {
  std::size_t at = 0;
  const auto year = digits(text, at, 4);
  if (!year || !expect(text, at, '-')) {
    return std::nullopt;
  }
  const auto month = digits(text, at, 2);
  if (!month || !expect(text, at, '-')) {
    return std::nullopt;
  }
  const auto day = digits(text, at, 2);
  if (!day || !expect(text, at, 'T')) {
    return std::nullopt;
  }
  const auto hour = digits(text, at, 2);
  if (!hour || !expect(text, at, ':')) {
    return std::nullopt;
  }
  const auto minute = digits(text, at, 2);
  if (!minute || !expect(text, at, ':')) {
    return std::nullopt;
  }
  const auto second = digits(text, at, 2);
  if (!second || *year < 1970 || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  if (at < text.size() && text[at] == '.') {
    ++at;
    const std::size_t fraction_start = at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) {
      ++at;
    }
    if (at == fraction_start) {
      return std::nullopt;
    }
  }
  int offset_seconds = 0;
  if (expect(text, at, 'Z')) {
    // UTC
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '+' ? 1 : -1;
    ++at;
    const auto offset_hours = digits(text, at, 2);
    if (!offset_hours || !expect(text, at, ':')) {
      return std::nullopt;
    }
    const auto offset_minutes = digits(text, at, 2);
    if (!offset_minutes || *offset_hours > 23 || *offset_minutes > 59) {
      return std::nullopt;
    }
    offset_seconds = sign * (*offset_hours * 3600 + *offset_minutes * 60);
  } else {
    return std::nullopt;
  }
  if (at != text.size()) {
    return std::nullopt;
  }
  std::tm parts{};
  parts.tm_year = *year - 1900;
  parts.tm_mon = *month - 1;
  parts.tm_mday = *day;
  parts.tm_hour = *hour;
  parts.tm_min = *minute;
  parts.tm_sec = *second;
  return static_cast<std::int64_t>(timegm(&parts)) - offset_seconds;
}

std::string format_docker_time(std::int64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace swarmop::clients

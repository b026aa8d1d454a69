#include "swarmop/model/size.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace swarmop::model {

std::optional<std::int64_t> parse_size(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    ++pos;
  }
  if (pos == 0) {
    return std::nullopt;
  }
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t fraction_start = ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      ++pos;
    }
    if (pos == fraction_start) {
      return std::nullopt;
    }
  }
  const double number = std::strtod(std::string(text.substr(0, pos)).c_str(), nullptr);
  std::string_view suffix = text.substr(pos);

  // Accepted suffixes: "", b/B, and K/M/G/T in either case, optionally followed by "i" and
  // then optionally by b/B (512M, 512m, 512MB, 512MiB, 512mb).
  double multiplier = 1;
  if (!suffix.empty()) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(suffix[0])));
    constexpr std::string_view kUnits = "KMGT";
    const std::size_t exponent = kUnits.find(unit);
    if (exponent != std::string_view::npos) {
      multiplier = std::pow(1024.0, static_cast<double>(exponent + 1));
      suffix.remove_prefix(1);
      if (!suffix.empty() && suffix[0] == 'i') {
        suffix.remove_prefix(1);
      }
      if (!suffix.empty() && (suffix[0] == 'b' || suffix[0] == 'B')) {
        suffix.remove_prefix(1);
      }
    } else if (unit == 'B') {
      suffix.remove_prefix(1);
    }
    if (!suffix.empty()) {
      return std::nullopt;
    }
  }
  const double bytes = std::round(number * multiplier);
  if (!std::isfinite(bytes) || bytes >= 9.2e18) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(bytes);
}

}  // namespace swarmop::model

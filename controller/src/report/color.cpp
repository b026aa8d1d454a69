#include "report/color.hpp"

#include <cstdlib>

namespace swarmop::report {

std::optional<ColorMode> parse_color_mode(std::string_view text) {
  if (text == "auto") {
    return ColorMode::kAuto;
  }
  if (text == "always") {
    return ColorMode::kAlways;
  }
  if (text == "never") {
    return ColorMode::kNever;
  }
  return std::nullopt;
}

bool use_color(ColorMode mode, bool is_terminal) {
  switch (mode) {
    case ColorMode::kAlways:
      return true;
    case ColorMode::kNever:
      return false;
    case ColorMode::kAuto:
      break;
  }
  const char* no_color = std::getenv("NO_COLOR");
  return is_terminal && (no_color == nullptr || *no_color == '\0');
}

std::string Palette::wrap(std::string_view code, std::string_view text) const {
  if (!enabled_) {
    return std::string(text);
  }
  return "\x1b[" + std::string(code) + 'm' + std::string(text) + "\x1b[0m";
}

}  // namespace swarmop::report

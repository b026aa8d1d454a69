#pragma once

#include <optional>
#include <string>
#include <string_view>

//! ANSI colour for the text plan: only on a terminal unless asked, and never when NO_COLOR is
//! set in auto mode (https://no-color.org), so logs and CI artifacts stay plain text.
namespace swarmop::report {

enum class ColorMode { kAuto, kAlways, kNever };

std::optional<ColorMode> parse_color_mode(std::string_view text);

//! Whether to colour: kAuto colours only a terminal with NO_COLOR unset.
bool use_color(ColorMode mode, bool is_terminal);

//! Wraps text in an SGR sequence when enabled; otherwise returns it unchanged.
class Palette {
 public:
  explicit Palette(bool enabled) : enabled_(enabled) {}
  std::string added(std::string_view text) const { return wrap("32", text); }
  std::string removed(std::string_view text) const { return wrap("31", text); }
  std::string changed(std::string_view text) const { return wrap("33", text); }
  std::string blocked(std::string_view text) const { return wrap("1;31", text); }
  std::string heading(std::string_view text) const { return wrap("1", text); }
  std::string dim(std::string_view text) const { return wrap("2", text); }

 private:
  std::string wrap(std::string_view code, std::string_view text) const;
  bool enabled_;
};

}  // namespace swarmop::report

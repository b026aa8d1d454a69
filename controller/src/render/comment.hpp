#pragma once

#include <sstream>
#include <string>

namespace swarmop::render {

//! Appends `text` to `block` as `# ` comment lines of at most 100 columns (a word longer than
//! that gets a line of its own), the header the generated files start with.
inline void append_comment(std::string& block, const std::string& text) {
  constexpr std::size_t kWidth = 98;
  std::istringstream words(text);
  std::string word;
  std::string line;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > kWidth) {
      block += "# " + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) {
    block += "# " + line + "\n";
  }
}

}  // namespace swarmop::render

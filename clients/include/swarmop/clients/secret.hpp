#pragma once

#include <ostream>
#include <string>

namespace swarmop::clients {

//! A value that must never be printed: join tokens, passwords. Reading it takes an explicit
//! call; printing it shows a placeholder.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  friend std::ostream& operator<<(std::ostream& out, const Secret&) { return out << "[redacted]"; }

 private:
  std::string value_;
};

}  // namespace swarmop::clients

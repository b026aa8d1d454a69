#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "swarmop/model/error.hpp"

namespace swarmop::model {

//! A value or an Error, spelled like std::expected (C++23) so it can be swapped for it later.
//! Clients return this instead of throwing for remote failures.
template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
  Expected(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return storage_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(storage_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(storage_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(storage_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!has_value());
    return std::get<1>(storage_);
  }

 private:
  std::variant<T, Error> storage_;
};

//! The value of an operation that returns nothing but can fail.
struct Unit {};

}  // namespace swarmop::model

// Lets Catch print a model::Expected: a failed REQUIRE(client->call()) shows the call's error
// ("PUT /api/policies/...: 503 ...") instead of "{?}".
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "swarmop/model/expected.hpp"

namespace Catch {

template <class T>
struct StringMaker<swarmop::model::Expected<T>> {
  static std::string convert(const swarmop::model::Expected<T>& value) {
    return value ? std::string("a value") : "error: " + value.error().describe();
  }
};

}  // namespace Catch

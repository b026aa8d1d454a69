#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "swarmop/model/desired_state.hpp"

//! What a snapshot keeps of values that may be secret. Environment values (the manual's
//! services take passwords through env), container args, commands and health-check commands
//! are replaced by "redacted:" and a salted digest: the names stay, the values do not, and an
//! offline plan can still tell a changed value from an unchanged one by digesting the desired
//! value with the same salt. Join tokens are never read by a snapshot at all.
namespace swarmop::snapshot {

inline constexpr std::string_view kDigestPrefix = "redacted:";

//! "redacted:" + 20 hex digits of SHA-1(salt, value).
std::string digest(std::string_view salt, std::string_view value);

//! A service or node spec with every secret-bearing value digested.
boost::json::object redact_spec(boost::json::object spec, std::string_view salt);

//! Variables kept in clear because the Couchbase reconciler reads them and they name hosts or
//! flags, never a secret: db_host (the Couchbase services), TYPE and AUTO_REBALANCE (the
//! manual's worker settings).
bool kept_in_clear(std::string_view variable);

//! The desired state with env values digested like a snapshot's, so plans against the
//! snapshot compare like with like.
model::DesiredState digest_desired(model::DesiredState desired, std::string_view salt);

}  // namespace swarmop::snapshot

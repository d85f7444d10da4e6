// Request ids: 32 lowercase hex characters from a per-thread generator seeded by OpenSSL's CSPRNG.
// Ids must be unique, not secret, so the per-request cost is a few arithmetic ops.
// Also validates ids received from trusted proxies.
#pragma once

#include <string>
#include <string_view>

namespace vigie::core {

[[nodiscard]] std::string new_request_id();
// Accepts 1..128 characters of [A-Za-z0-9._-]: safe to log and to echo in headers.
[[nodiscard]] bool valid_request_id(std::string_view id);

}  // namespace vigie::core

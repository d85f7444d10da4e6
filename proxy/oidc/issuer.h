// One token issuer as Vigie tracks it: its discovery document (when it has one) and its signing
// keys (JWKS). Shared by all workers and the main thread, and kept across reloads while the issuer's
// settings do not change. State is an immutable snapshot swapped atomically; a fetch is single-flight:
// callers that need fresh keys while a fetch runs wait for it (on their own executor) instead of
// starting another. An unknown kid forces a refetch at most once per 5 minutes, so a flood of tokens
// with made-up kids cannot turn Vigie into a load generator against the provider.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "jwt/keyset.h"
#include "oidc/metadata.h"

namespace vigie::oidc {

struct IssuerSettings {
  std::string issuer;         // expected "iss" (may hold {tenantid})
  std::string discovery_url;  // empty: keys only, from jwks_url
  std::string jwks_url;       // empty: from discovery
  std::string ca_file;
  std::chrono::milliseconds timeout{5000};
  std::chrono::milliseconds refresh{3600000};
  bool operator==(const IssuerSettings&) const = default;
};

struct IssuerState {
  std::optional<Metadata> metadata;
  jwt::KeySet keys;
  std::string last_error;  // why the last fetch failed; empty when it succeeded
};

class Issuer {
 public:
  explicit Issuer(IssuerSettings s, const core::Clock& clock = core::SystemClock::instance());

  [[nodiscard]] const IssuerSettings& settings() const { return settings_; }
  // The current state; null until the first fetch succeeded.
  [[nodiscard]] std::shared_ptr<const IssuerState> state() const {
    std::lock_guard lock(state_mu_);
    return state_;
  }
  // The current state, fetching it first when there is none yet.
  [[nodiscard]] boost::asio::awaitable<std::shared_ptr<const IssuerState>> ready();
  // After an unknown kid: refetches (rate-limited) and returns the newest state.
  [[nodiscard]] boost::asio::awaitable<std::shared_ptr<const IssuerState>> refresh_for_unknown_kid();
  // The periodic refresh (main thread): fetch now; keeps the old keys when the fetch fails.
  [[nodiscard]] boost::asio::awaitable<void> refresh();
  // How many fetches ran (metrics, tests).
  [[nodiscard]] int64_t fetch_count() const { return fetches_.load(); }

 private:
  boost::asio::awaitable<void> fetch_once();
  enum class Why { First, UnknownKid, Periodic };
  boost::asio::awaitable<std::shared_ptr<const IssuerState>> join_or_fetch(Why why);
  [[nodiscard]] bool too_soon(Why why) const;  // mu_ held

  IssuerSettings settings_;
  const core::Clock& clock_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  // Not std::atomic<std::shared_ptr>: libstdc++ 12's version crashed Vigie at exit (Release build,
  // a freed pointer with the lock bit). The lock is taken on token-cache misses and logins only.
  mutable std::mutex state_mu_;
  std::shared_ptr<const IssuerState> state_;
  void publish(std::shared_ptr<const IssuerState> s) {
    std::lock_guard lock(state_mu_);
    state_ = std::move(s);
  }
  std::atomic<int64_t> fetches_{0};

  // Guards only the single-flight bookkeeping below, taken for a few instructions on the rare
  // refetch path — never on the path of a request whose token is known.
  std::mutex mu_;
  bool fetching_ = false;
  std::vector<std::shared_ptr<boost::asio::steady_timer>> waiters_;
  std::optional<std::chrono::steady_clock::time_point> last_forced_;  // last unknown-kid refetch
  std::optional<std::chrono::steady_clock::time_point> last_attempt_;
};

}  // namespace vigie::oidc

namespace vigie::oidc {

// Issuers by settings, kept across reloads so a reload neither refetches keys nor forgets them.
// Owned by the server; get() is called on the main thread while building a snapshot, all() by the
// periodic refresh. Thread-safe.
class IssuerRegistry {
 public:
  explicit IssuerRegistry(const core::Clock& clock = core::SystemClock::instance()) : clock_(clock) {}
  [[nodiscard]] std::shared_ptr<Issuer> get(const IssuerSettings& s);
  [[nodiscard]] std::vector<std::shared_ptr<Issuer>> all() const;

 private:
  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Issuer>> issuers_;
};

}  // namespace vigie::oidc

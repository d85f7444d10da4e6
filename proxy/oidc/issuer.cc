#include "oidc/issuer.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/http_client.h"
#include "net/tls.h"
#include "observe/log.h"

namespace vigie::oidc {
namespace asio = boost::asio;

namespace {

constexpr auto kUnknownKidInterval = std::chrono::minutes(5);
// While the provider cannot be reached at all, requests that need it fail fast instead of each
// waiting for a fetch of their own.
constexpr auto kRetryInterval = std::chrono::seconds(5);

asio::awaitable<core::Result<std::string, std::string>> get_json(const std::string& url, asio::ssl::context& tls,
                                                                 std::chrono::milliseconds timeout) {
  auto parsed = core::parse_url(url);
  if (!parsed) co_return core::fail("not a URL: " + url);
  net::OutboundRequest req;
  req.url = *parsed;
  auto res = co_await net::fetch(req, tls, timeout);
  if (!res) co_return core::fail(url + ": " + std::string(net::describe(res.error())));
  if (res->status != 200) co_return core::fail(url + ": HTTP " + std::to_string(res->status));
  co_return std::move(res->body);
}

}  // namespace

Issuer::Issuer(IssuerSettings s, const core::Clock& clock)
    : settings_(std::move(s)), clock_(clock), tls_(net::make_client_context(settings_.ca_file)) {}

asio::awaitable<std::shared_ptr<const IssuerState>> Issuer::ready() {
  // Discovery may have worked while the keys did not: without keys nothing verifies, so such a
  // state is retried (rate-limited) rather than kept until the periodic refresh.
  if (auto s = state(); s && s->keys.size() > 0) co_return s;
  co_return co_await join_or_fetch(Why::First);
}

asio::awaitable<std::shared_ptr<const IssuerState>> Issuer::refresh_for_unknown_kid() {
  co_return co_await join_or_fetch(Why::UnknownKid);
}

asio::awaitable<void> Issuer::refresh() { co_await join_or_fetch(Why::Periodic); }

bool Issuer::too_soon(Why why) const {
  auto now = clock_.now();
  if (why == Why::UnknownKid) return last_forced_ && now - *last_forced_ < kUnknownKidInterval;
  if (why == Why::First) return last_attempt_ && now - *last_attempt_ < kRetryInterval;
  return false;
}

asio::awaitable<std::shared_ptr<const IssuerState>> Issuer::join_or_fetch(Why why) {
  auto ex = co_await asio::this_coro::executor;
  std::shared_ptr<asio::steady_timer> waiter;
  {
    std::lock_guard lock(mu_);
    if (fetching_) {
      waiter = std::make_shared<asio::steady_timer>(ex, asio::steady_timer::time_point::max());
      waiters_.push_back(waiter);
    } else if (too_soon(why)) {
      co_return state();
    } else {
      fetching_ = true;
      last_attempt_ = clock_.now();
      if (why == Why::UnknownKid) last_forced_ = last_attempt_;
    }
  }
  if (waiter) {
    // Woken by cancel() from the fetching coroutine, posted to this waiter's own executor.
    co_await waiter->async_wait(asio::as_tuple(asio::use_awaitable));
    co_return state();
  }
  co_await fetch_once();
  std::vector<std::shared_ptr<asio::steady_timer>> woken;
  {
    std::lock_guard lock(mu_);
    fetching_ = false;
    woken.swap(waiters_);
  }
  for (auto& t : woken) asio::post(t->get_executor(), [t] { t->cancel(); });
  co_return state();
}

asio::awaitable<void> Issuer::fetch_once() {
  ++fetches_;
  auto next = std::make_shared<IssuerState>();
  auto old = state();
  if (old) *next = *old;
  std::string jwks_url = settings_.jwks_url;
  if (!settings_.discovery_url.empty()) {
    auto body = co_await get_json(settings_.discovery_url, *tls_, settings_.timeout);
    auto meta = body ? parse_metadata(*body, settings_.issuer)
                     : core::Result<Metadata, MetadataError>(core::fail(MetadataError::Malformed));
    if (!body || !meta) {
      next->last_error = body ? std::string(describe(meta.error())) : body.error();
      observe::log_warn("OpenID discovery failed for " + settings_.issuer + ": " + next->last_error);
      if (old) publish(std::move(next));  // keep what we had, with the error for readyz/logs
      co_return;
    }
    next->metadata = *meta;
    if (jwks_url.empty()) jwks_url = meta->jwks_uri;
  }
  auto body = co_await get_json(jwks_url, *tls_, settings_.timeout);
  auto keys = body ? jwt::parse_jwks(*body) : core::Result<jwt::KeySet, jwt::Error>(core::fail(jwt::Error::BadJwks));
  if (!body || !keys || keys->size() == 0) {
    // Keys are kept when a fetch fails: an IdP hiccup must not log everyone out.
    next->last_error = body ? "JWKS has no usable key" : body.error();
    observe::log_warn("JWKS fetch failed for " + settings_.issuer + ": " + next->last_error);
    if (old || next->metadata) publish(std::move(next));
    co_return;
  }
  next->keys = std::move(*keys);
  next->last_error.clear();
  publish(std::move(next));
}

}  // namespace vigie::oidc

namespace vigie::oidc {

std::shared_ptr<Issuer> IssuerRegistry::get(const IssuerSettings& s) {
  std::lock_guard lock(mu_);
  // Issuers no snapshot uses any more (their settings changed at a reload) are dropped.
  std::erase_if(issuers_, [](const auto& i) { return i.use_count() == 1; });
  for (const auto& i : issuers_) {
    if (i->settings() == s) return i;
  }
  return issuers_.emplace_back(std::make_shared<Issuer>(s, clock_));
}

std::vector<std::shared_ptr<Issuer>> IssuerRegistry::all() const {
  std::lock_guard lock(mu_);
  return issuers_;
}

}  // namespace vigie::oidc

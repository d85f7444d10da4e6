#include "authn/refresh_flights.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vigie::authn {
namespace asio = boost::asio;
namespace {

constexpr auto kReuse = std::chrono::minutes(1);

}  // namespace

RefreshFlights& RefreshFlights::process(const core::Clock& clock) {
  // One per clock: production has one (the system clock); each unit test's fake clock gets its own.
  static std::mutex mu;
  static std::unordered_map<const core::Clock*, std::unique_ptr<RefreshFlights>> all;
  std::lock_guard lock(mu);
  auto& slot = all[&clock];
  if (!slot) slot = std::make_unique<RefreshFlights>(clock);
  return *slot;
}

asio::awaitable<std::optional<session::SessionData>> RefreshFlights::run(const session::SessionData& current,
                                                                         const Refresh& refresh) {
  auto ex = co_await asio::this_coro::executor;
  std::shared_ptr<Flight> flight;
  std::shared_ptr<asio::steady_timer> waiter;
  {
    std::lock_guard lock(mu_);
    auto now = clock_.now();
    std::erase_if(flights_, [&](const auto& kv) { return kv.second->done && now - kv.second->finished >= kReuse; });
    auto& slot = flights_[current.id];
    if (slot && slot->done && slot->result && slot->result->tokens_expire >= current.tokens_expire) {
      co_return slot->result;  // refreshed a moment ago; this request carried the older cookie
    }
    if (slot && !slot->done) {
      waiter = std::make_shared<asio::steady_timer>(ex, asio::steady_timer::time_point::max());
      slot->waiters.push_back(waiter);
      flight = slot;
    } else {
      slot = flight = std::make_shared<Flight>();
    }
  }
  if (waiter) {
    co_await waiter->async_wait(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(mu_);
    co_return flight->result;
  }
  std::optional<session::SessionData> result = co_await refresh();
  std::vector<std::shared_ptr<asio::steady_timer>> woken;
  {
    std::lock_guard lock(mu_);
    flight->done = true;
    flight->result = result;
    flight->finished = clock_.now();
    woken.swap(flight->waiters);
  }
  for (auto& t : woken) asio::post(t->get_executor(), [t] { t->cancel(); });
  co_return result;
}

}  // namespace vigie::authn

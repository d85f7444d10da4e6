// The fixed stage pipeline. Stages run in the order of Step, written here in code: configuration
// tunes a stage per route but can never reorder or remove one, so no config change can silently
// skip authorization. Each stage is immutable, compiled from config, and shared by all workers.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string_view>
#include <variant>

#include "http/local_reply.h"

namespace vigie::http {

struct RequestContext;

struct Continue {};
struct Respond {
  Reason reason;
  authn::Headers headers;   // added to the reply (Location, WWW-Authenticate, Set-Cookie)
  std::string_view detail;  // finer reason for the access log (jwt_expired); empty: the reason's code
};
using Verdict = std::variant<Continue, Respond>;

class Stage {
 public:
  virtual ~Stage() = default;
  // Never throws, never blocks.
  [[nodiscard]] virtual boost::asio::awaitable<Verdict> run(RequestContext& ctx) const = 0;
};

class Pipeline {
 public:
  enum class Step { Waf, RateLimit, Authenticate, Authorize, Audit, Count };

  // The pipeline every snapshot uses: each step holds the stage built for it.
  [[nodiscard]] static Pipeline standard();

  [[nodiscard]] boost::asio::awaitable<Verdict> run(RequestContext& ctx) const;
  [[nodiscard]] bool has(Step s) const { return stages_[static_cast<size_t>(s)] != nullptr; }

 private:
  void set(Step s, std::unique_ptr<const Stage> stage) { stages_[static_cast<size_t>(s)] = std::move(stage); }

  std::array<std::shared_ptr<const Stage>, static_cast<size_t>(Step::Count)> stages_;
};

}  // namespace vigie::http

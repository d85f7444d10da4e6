// Where sealed audit lines go. A Sink is owned by one Trail and called only from that trail's
// writer thread. write() is all-or-nothing: a failed write leaves the sink as it was before, so the
// chain never holds half a record. FileSink (with rotation, also the Loki spool) and StdoutSink.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "audit/chain.h"

namespace vigie::audit {

class Sink {
 public:
  virtual ~Sink() = default;
  // The chain to continue: the last complete record already in the sink (a fresh chain when none).
  // False with `error` set when the sink cannot be used (unreadable, not a chain we wrote).
  [[nodiscard]] virtual bool resume(ChainState& state, std::string& error) = 0;
  [[nodiscard]] virtual bool write(std::string_view lines, std::string& error) = 0;
  // Makes what was written durable (fdatasync). A no-op for a pipe.
  [[nodiscard]] virtual bool sync(std::string& error) = 0;
  // Rotates first if `more` bytes would take the live file past its size limit, or it is too old.
  [[nodiscard]] virtual bool rotate_if_due(size_t more, std::chrono::system_clock::time_point now,
                                          std::string& error) = 0;
  // False while the sink has no room (the Loki spool is full): records are refused, not queued.
  [[nodiscard]] virtual bool has_room() const { return true; }
};

}  // namespace vigie::audit

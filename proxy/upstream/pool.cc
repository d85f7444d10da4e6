#include "upstream/pool.h"

#include <sys/socket.h>

namespace vigie::upstream {
namespace {

// A pooled socket that is readable now was closed by the upstream (EOF) or holds unexpected bytes
// (a late response, a TLS close_notify): either way it must not carry another request.
bool still_usable(Connection& c) {
  char byte;
  ssize_t n = ::recv(c.stream.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

std::unique_ptr<Connection> Pool::take(std::string_view key, std::chrono::milliseconds idle_timeout) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  auto now = clock_.now();
  while (!list.empty()) {
    std::unique_ptr<Connection> c = std::move(list.back());  // most recently used: warmest
    list.pop_back();
    if (now - c->idle_since < idle_timeout && still_usable(*c)) {
      c->reused = true;
      return c;
    }
  }
  return nullptr;
}

void Pool::give(std::string_view key, std::unique_ptr<Connection> c, std::chrono::milliseconds idle_timeout) {
  c->idle_since = clock_.now();
  c->buffer.clear();
  auto it = idle_.find(key);
  if (it == idle_.end()) it = idle_.emplace(std::string(key), std::deque<std::unique_ptr<Connection>>{}).first;
  auto& list = it->second;
  list.push_back(std::move(c));
  // Drop stale connections from the cold end so an idle pool does not hold sockets forever.
  while (!list.empty() && clock_.now() - list.front()->idle_since >= idle_timeout) list.pop_front();
}

size_t Pool::idle_count() const {
  size_t n = 0;
  for (const auto& [k, v] : idle_) n += v.size();
  return n;
}

}  // namespace vigie::upstream

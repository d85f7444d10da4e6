#include "server/server.h"

#include <malloc.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <thread>

#include "config/loader.h"
#include "net/listener.h"
#include "net/tls.h"
#include "observe/log.h"

namespace vigie::server {
namespace asio = boost::asio;

namespace {

unsigned worker_count(const config::Config& c) {
  if (c.workers > 0) return c.workers;
  return std::max(1u, std::thread::hardware_concurrency());
}

void log_routes(const config::Config& c) {
  for (const auto& r : c.routes) {
    // Public routes are listed at every start and reload so no one is surprised by them.
    if (r.auth == config::AuthMode::Public) {
      observe::log_info("public route '" + r.id + "' (" + c.source + ":" + std::to_string(r.line) + ") host '" +
                        (r.host.empty() ? "*" : r.host) + "' path '" + r.path + "' -> cluster '" + r.cluster + "'");
    }
  }
}

bool same_listeners(const config::Config& a, const config::Config& b) {
  if (a.listeners.size() != b.listeners.size()) return false;
  for (size_t i = 0; i < a.listeners.size(); ++i) {
    const auto &x = a.listeners[i], &y = b.listeners[i];
    if (x.name != y.name || x.address != y.address || x.port != y.port || x.tls.has_value() != y.tls.has_value())
      return false;
    if (x.tls && (x.tls->cert_file != y.tls->cert_file || x.tls->key_file != y.tls->key_file)) return false;
  }
  return true;
}

bool same_stream(const config::AuditStream& a, const config::AuditStream& b) {
  return a.sink.type == b.sink.type && a.sink.path == b.sink.path && a.format == b.format &&
         a.durability == b.durability && a.sink.rotate_bytes == b.sink.rotate_bytes &&
         a.sink.rotate_every == b.sink.rotate_every && a.sink.loki_url == b.sink.loki_url &&
         a.sink.labels == b.sink.labels && a.sink.loki_tenant == b.sink.loki_tenant &&
         a.sink.ca_file == b.sink.ca_file && a.sink.spool_bytes == b.sink.spool_bytes &&
         (a.sink.loki_token ? a.sink.loki_token->value : "") == (b.sink.loki_token ? b.sink.loki_token->value : "");
}

bool same_audit_sinks(const config::Audit& a, const config::Audit& b) {
  if (a.enabled != b.enabled || a.security.has_value() != b.security.has_value()) return false;
  if (!a.enabled) return true;
  bool same_key = a.key && b.key && a.key->value == b.key->value;
  return same_key && same_stream(a.patient, b.patient) && (!a.security || same_stream(*a.security, *b.security));
}

// What a reload cannot change: sockets, threads and files opened once at start (the audit trails
// with their sinks and key among them).
bool needs_restart(const config::Config& a, const config::Config& b) {
  return !same_audit_sinks(a.audit, b.audit) || !same_listeners(a, b) || a.workers != b.workers ||
         a.admin.address != b.admin.address || a.admin.port != b.admin.port ||
         a.access_log.path != b.access_log.path || a.limits.max_connections != b.limits.max_connections;
}

}  // namespace

namespace {

// glibc gives the top of a heap back to the kernel as soon as 128 KiB of it are free, then grows it
// again on the next request: with request-sized buffers of a few KiB coming and going, that is a
// trim and a page fault per request (sysmalloc and the kernel's fault path topped the profile of
// session requests). Keep a few MiB of slack per heap instead. Process-wide, at start-up.
void keep_heap_slack() {
  mallopt(M_TOP_PAD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
}

}  // namespace

Server::Server(std::string config_path, std::shared_ptr<const config::Config> cfg)
    : config_path_(std::move(config_path)), config_(std::move(cfg)), access_log_(config_->access_log.path) {
  keep_heap_slack();
  admin_handlers_.ready = [this] { return ready_.load(); };
  admin_handlers_.metrics = [this] { return metrics_.serialize(); };
}

// A trail that cannot write does not stop Vigie: non-patient routes keep working, patient data is
// refused (503) and the trail probes until its sink works again.
void Server::open_trails() {
  if (!config_->audit.enabled) return;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::vector<std::string> errors;
  trails_ = audit::Trails::open(config_->audit, metrics_, host, errors);
  for (const auto& e : errors) observe::log_error(e);
}

bool Server::bind_all() {
  try {
    for (const auto& l : config_->listeners) {
      BoundListener b{l.name, l.address, l.port, nullptr};
      if (l.tls) b.tls = net::make_server_context(l.tls->cert_file, l.tls->key_file);
      listeners_.push_back(std::move(b));
    }
    unsigned n = worker_count(*config_);
    for (unsigned i = 0; i < n; ++i) {
      workers_.push_back(std::make_unique<Worker>(i, metrics_, access_log_, connections_,
                                                  config_->limits.max_connections, trails_.get()));
      workers_.back()->listen(listeners_);
      // Port 0 asks the kernel for a free port; later workers share the one the first was given.
      auto ports = workers_.back()->ports();
      for (size_t j = 0; j < listeners_.size(); ++j) listeners_[j].port = ports[j];
    }
    admin_ = std::make_unique<asio::ip::tcp::acceptor>(
        net::open_listener(io_, config_->admin.address, config_->admin.port));
  } catch (const std::exception& e) {
    observe::log_error(std::string("cannot start: ") + e.what());
    return false;
  }
  return true;
}

void Server::announce(int ready_fd) const {
  std::string line = "{\"admin\":" + std::to_string(admin_->local_endpoint().port()) + ",\"listeners\":{";
  for (size_t i = 0; i < listeners_.size(); ++i) {
    if (i) line += ',';
    line += "\"" + listeners_[i].name + "\":" + std::to_string(listeners_[i].port);
  }
  line += "}}\n";
  observe::log_info("ready: " + line.substr(0, line.size() - 1));
  if (ready_fd < 0) return;
  ssize_t ignored = ::write(ready_fd, line.data(), line.size());
  (void)ignored;
  ::close(ready_fd);
}

int Server::run(int ready_fd) {
  try {
    snapshot_ = http::build_snapshot(config_, metrics_, worker_count(*config_), issuers_);
  } catch (const std::exception& e) {
    observe::log_error(std::string("cannot start: ") + e.what());
    return 1;
  }
  open_trails();
  if (!bind_all()) return 1;
  log_routes(*config_);
  for (auto& w : workers_) w->start(snapshot_);
  asio::co_spawn(io_, admin_accept_loop(*admin_, admin_handlers_), asio::detached);
  asio::co_spawn(io_, refresh_issuers(), asio::detached);
  wait_signals();
  ready_ = true;
  announce(ready_fd);
  io_.run();
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
  if (trails_) trails_->stop();  // after the workers: every answered request's record is written
  access_log_.flush();
  observe::log_info("stopped");
  return 0;
}

// The main thread keeps every issuer's discovery document and keys fresh: fetched at start so the
// first login does not wait for them, then again once each issuer's refresh interval has passed.
asio::awaitable<void> Server::refresh_issuers() {
  std::map<const oidc::Issuer*, std::chrono::steady_clock::time_point> last;
  asio::steady_timer timer(io_);
  while (!draining_) {
    auto now = std::chrono::steady_clock::now();
    for (const auto& issuer : issuers_.all()) {
      auto it = last.find(issuer.get());
      if (it != last.end() && now - it->second < issuer->settings().refresh) continue;
      last[issuer.get()] = now;
      co_await issuer->refresh();
    }
    timer.expires_after(std::chrono::seconds(30));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) break;
  }
}

void Server::wait_signals() {
  auto signals = std::make_shared<asio::signal_set>(io_, SIGTERM, SIGINT, SIGHUP);
  signals->async_wait([this, signals](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) reload();
    else begin_drain();
    wait_signals();
  });
}

void Server::reload() {
  if (draining_) return;
  auto loaded = config::load_file(config_path_);
  if (!loaded) {
    for (const auto& e : loaded.error()) observe::log_error("reload rejected: " + e.to_string());
    metrics_.reloads_failed.Increment();
    return;
  }
  std::shared_ptr<const http::Snapshot> next;
  try {
    next = http::build_snapshot(*loaded, metrics_, static_cast<unsigned>(workers_.size()), issuers_);
  } catch (const std::exception& e) {
    observe::log_error(std::string("reload rejected: ") + e.what());
    metrics_.reloads_failed.Increment();
    return;
  }
  const config::Config& c = **loaded;
  if (needs_restart(*config_, c)) {
    observe::log_warn("changes to listeners, workers, admin, access_log, limits.max_connections or the audit "
                      "sinks and key take effect at the next restart; everything else is live");
  }
  snapshot_ = next;
  for (auto& w : workers_) w->publish(next);
  metrics_.reloads_ok.Increment();
  log_routes(c);
  observe::log_info("configuration reloaded from " + config_path_);
}

void Server::begin_drain() {
  if (draining_) return;
  draining_ = true;
  ready_ = false;
  observe::log_info("draining: readiness is now 503, listeners closed, in-flight requests finishing");
  auto deadline = std::make_shared<asio::steady_timer>(io_, snapshot_->config->timeouts.drain);
  deadline->async_wait([this, deadline](const boost::system::error_code& ec) {
    if (ec) return;
    observe::log_warn("drain deadline reached: closing the remaining connections");
    io_.stop();
  });
  for (auto& w : workers_) {
    w->drain([this, deadline] {
      asio::post(io_, [this, deadline] {
        if (++drained_ == workers_.size()) {
          deadline->cancel();
          io_.stop();
        }
      });
    });
  }
}

}  // namespace vigie::server

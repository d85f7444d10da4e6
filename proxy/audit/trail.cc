#include "audit/trail.h"

#include <pthread.h>

#include <boost/asio/post.hpp>

#include "observe/log.h"

namespace vigie::audit {
namespace {

constexpr auto kAsyncSyncInterval = std::chrono::seconds(1);

}  // namespace

Trail::Trail(Options o, std::unique_ptr<Sink> sink, observe::AuditMetrics m)
    : opt_(std::move(o)), sink_(std::move(sink)), m_(m) {}

Trail::~Trail() { stop(); }

bool Trail::start(std::string& error) {
  bool ok = sink_->resume(chain_, error);
  if (ok) {
    std::vector<Entry> first;
    first.push_back({own_record("audit_started", "stream " + opt_.name), {}, {}});
    ok = write_lines(first, true, error);
  }
  needs_resume_ = !ok;
  last_probe_ = std::chrono::steady_clock::now();
  set_healthy(ok);
  if (!ok) observe::log_error("audit stream " + opt_.name + " cannot write, patient data refused: " + error);
  thread_ = std::thread([this] { run(); });
  return ok;
}

void Trail::stop() {
  {
    std::lock_guard lk(mu_);
    if (stopping_ || !thread_.joinable()) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void Trail::enqueue(std::string body, Completion done, boost::asio::any_io_executor ex) {
  {
    std::lock_guard lk(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(body), std::move(done), std::move(ex)});
      size_t d = depth_.fetch_add(1, std::memory_order_relaxed) + 1;
      if (m_.queue_depth) m_.queue_depth->Set(static_cast<double>(d));
      cv_.notify_one();
      return;
    }
  }
  if (done) boost::asio::post(ex, [h = std::move(done)]() mutable { std::move(h)(false); });
}

void Trail::offer(std::string body) {
  if (depth_.load(std::memory_order_relaxed) >= opt_.max_queue / 2) {
    if (m_.dropped) m_.dropped->Increment();
    return;
  }
  enqueue(std::move(body), Completion(), {});
}

void Trail::run() {
  pthread_setname_np(pthread_self(), ("audit-" + opt_.name).substr(0, 15).c_str());
  std::vector<Entry> batch;
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait_for(lk, std::chrono::milliseconds(1000), [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      if (stopping_) break;
      lk.unlock();
      idle();
      lk.lock();
      continue;
    }
    batch.swap(queue_);
    bool last = stopping_;
    lk.unlock();
    write_batch(batch, !last);
    batch.clear();
    lk.lock();
    // While the sink fails, kept records are retried at the probe's pace, not in a busy loop.
    if (!healthy_ && !stopping_) cv_.wait_for(lk, opt_.probe_interval, [&] { return stopping_; });
  }
  lk.unlock();
  if (healthy_) {
    std::vector<Entry> last;
    last.push_back({own_record("audit_stopped", "stream " + opt_.name), {}, {}});
    std::string error;
    if (!write_lines(last, true, error)) observe::log_error("audit stream " + opt_.name + ": " + error);
  }
}

void Trail::idle() {
  sink_room_ = sink_->has_room();
  if (!healthy_) {
    (void)probe();
    return;
  }
  if (unsynced_ && std::chrono::steady_clock::now() - last_sync_ >= kAsyncSyncInterval) {
    std::string error;
    if (!timed_sync(error)) fail(error);
  }
}

void Trail::write_batch(std::vector<Entry>& batch, bool keep) {
  size_t d = depth_.fetch_sub(batch.size(), std::memory_order_relaxed) - batch.size();
  if (m_.queue_depth) m_.queue_depth->Set(static_cast<double>(d));
  sink_room_ = sink_->has_room();
  if (!healthy_ && !probe()) {
    refuse(batch, keep);
    return;
  }
  bool sync = opt_.durability == config::Durability::Sync;
  std::string error;
  if (!write_lines(batch, sync, error)) {
    fail(error);
    refuse(batch, keep);
    return;
  }
  if (m_.batch_records) m_.batch_records->Observe(static_cast<double>(batch.size()));
  complete(batch, true);
}

bool Trail::write_lines(std::vector<Entry>& batch, bool sync, std::string& error) {
  ChainState saved = chain_;
  std::string lines;
  for (auto& e : batch) {
    size_t len = e.body.size();
    seal(e.body, opt_.key, chain_, opt_.format);
    lines.append(e.body);
    e.body.resize(len);  // unsealed again, should it have to be written later
  }
  auto now = std::chrono::system_clock::now();
  if (!sink_->rotate_if_due(lines.size(), now, error) || !sink_->write(lines, error)) {
    // A failed write is undone by the sink; should the undo itself have failed, re-reading the
    // chain from the sink (which cuts a torn line) keeps the next record from following half a line.
    chain_ = saved;
    needs_resume_ = true;
    return false;
  }
  unsynced_ = true;
  // Under steady traffic the writer is never idle: async records are synced once a second here.
  bool due = sync || std::chrono::steady_clock::now() - last_sync_ >= kAsyncSyncInterval;
  if (due && !timed_sync(error)) {
    // The lines may or may not have reached the disk: the chain is re-read from the sink before
    // anything else is written.
    needs_resume_ = true;
    return false;
  }
  last_seq_ = chain_.seq;
  if (m_.records) m_.records->Increment(static_cast<double>(batch.size()));
  if (m_.bytes) m_.bytes->Increment(static_cast<double>(lines.size()));
  if (m_.last_sequence) m_.last_sequence->Set(static_cast<double>(chain_.seq));
  return true;
}

bool Trail::timed_sync(std::string& error) {
  auto t0 = std::chrono::steady_clock::now();
  if (!sink_->sync(error)) return false;
  last_sync_ = std::chrono::steady_clock::now();
  unsynced_ = false;
  if (m_.sync_seconds) m_.sync_seconds->Observe(std::chrono::duration<double>(last_sync_ - t0).count());
  return true;
}

void Trail::complete(std::vector<Entry>& batch, bool ok) {
  for (auto& e : batch) {
    if (!e.done) continue;
    boost::asio::post(e.ex, [h = std::move(e.done), ok]() mutable { std::move(h)(ok); });
  }
}

// A waiter learns its record was not written (its request is refused). Records nobody waits for
// (security events) are kept and written once the sink works again; only a queue that overflows
// meanwhile, or a stop while failing, loses them, and they are counted.
void Trail::refuse(std::vector<Entry>& batch, bool keep_unwaited) {
  std::vector<Entry> keep;
  for (auto& e : batch) {
    if (!e.done) keep.push_back({std::move(e.body), {}, {}});
  }
  complete(batch, false);
  if (keep.empty()) return;
  if (!keep_unwaited) {
    if (m_.dropped) m_.dropped->Increment(static_cast<double>(keep.size()));
    observe::log_error("audit stream " + opt_.name + ": " + std::to_string(keep.size()) +
                       " records lost at stop: the sink still fails");
    return;
  }
  std::lock_guard lk(mu_);
  size_t room = opt_.max_queue > queue_.size() ? opt_.max_queue - queue_.size() : 0;
  if (keep.size() > room) {
    size_t lost = keep.size() - room;
    if (m_.dropped) m_.dropped->Increment(static_cast<double>(lost));
    keep.erase(keep.begin(), keep.begin() + static_cast<long>(lost));
  }
  depth_.fetch_add(keep.size(), std::memory_order_relaxed);
  queue_.insert(queue_.begin(), std::make_move_iterator(keep.begin()), std::make_move_iterator(keep.end()));
}

void Trail::fail(const std::string& error) {
  if (m_.failures) m_.failures->Increment();
  if (healthy_) observe::log_error("audit stream " + opt_.name + " cannot write, patient data refused: " + error);
  set_healthy(false);
}

// Once a second while failing: re-reads the chain from the sink (what reached it is the truth) and
// writes an `audit_resumed` record; its success makes the trail accept records again.
bool Trail::probe() {
  auto now = std::chrono::steady_clock::now();
  if (now - last_probe_ < opt_.probe_interval) return false;
  last_probe_ = now;
  std::string error;
  if (needs_resume_ && !sink_->resume(chain_, error)) return false;
  needs_resume_ = false;
  std::vector<Entry> one;
  one.push_back({own_record("audit_resumed", "stream " + opt_.name), {}, {}});
  if (!write_lines(one, true, error)) return false;
  observe::log_info("audit stream " + opt_.name + " writes again");
  set_healthy(true);
  return true;
}

void Trail::set_healthy(bool h) {
  healthy_ = h;
  if (m_.healthy) m_.healthy->Set(h ? 1 : 0);
}

std::string Trail::own_record(std::string_view event, std::string_view detail) const {
  Record r;
  r.kind = Kind::SecurityEvent;
  r.event = event;
  r.time = std::chrono::system_clock::now();
  r.reason = detail;
  return opt_.encode(r);
}

}  // namespace vigie::audit

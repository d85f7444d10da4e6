// One audit stream's writer: a queue fed by every worker and one thread that numbers, chains and
// writes the records in batches. A `sync` record completes only once it is on disk; records that
// arrive while an fdatasync runs are written by the next batch (group commit), so one sync serves
// many requests. When a write fails the trail stops accepting (patient requests get 503) and
// probes once a second, by writing an `audit_resumed` record, until the sink works again.
// Thread-safe: commit()/submit()/accepting() from any worker; the sink is touched by the writer only.
#pragma once

#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/system_executor.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/record.h"
#include "audit/sink.h"
#include "config/audit.h"
#include "observe/metrics.h"

namespace vigie::audit {

class Trail {
 public:
  struct Options {
    std::string name;  // the stream: "patient", "security"
    std::string key;   // HMAC key
    config::AuditFormat format = config::AuditFormat::Json;
    config::Durability durability = config::Durability::Sync;
    std::function<std::string(const Record&)> encode;  // for the trail's own records
    size_t max_queue = 100000;  // records waiting; beyond it the trail refuses
    std::chrono::milliseconds probe_interval{1000};  // between two probes of a failing sink
  };
  Trail(Options o, std::unique_ptr<Sink> sink, observe::AuditMetrics m);
  ~Trail();
  Trail(const Trail&) = delete;
  Trail& operator=(const Trail&) = delete;

  // Resumes the chain, writes the `audit_started` record and starts the writer. False with `error`
  // when the sink cannot be used; the trail then stays refusing (and probing) rather than absent.
  bool start(std::string& error);
  // Writes what is queued, then the `audit_stopped` record, and joins the writer.
  void stop();

  [[nodiscard]] bool accepting() const { return healthy_.load(std::memory_order_relaxed) && has_room(); }
  [[nodiscard]] config::AuditFormat format() const { return opt_.format; }
  [[nodiscard]] config::Durability durability() const { return opt_.durability; }
  [[nodiscard]] const std::string& name() const { return opt_.name; }
  [[nodiscard]] uint64_t last_sequence() const { return last_seq_.load(); }

  // Queues an encoded record (an object without its closing brace). The completion gets true once
  // the record is written (and, for a sync trail, on disk); false when it could not be.
  template <class Token>
  auto commit(std::string body, Token&& token) {
    return boost::asio::async_initiate<Token, void(bool)>(
        [this](auto handler, std::string b) {
          boost::asio::any_io_executor ex = boost::asio::get_associated_executor(handler, boost::asio::system_executor());
          enqueue(std::move(b), Completion(std::move(handler)), std::move(ex));
        },
        token, std::move(body));
  }
  // Queues a record nobody waits for (an async patient stream).
  void submit(std::string body) { enqueue(std::move(body), Completion(), {}); }
  // Queues a security event. Past half the queue bound it is dropped (and counted): a flood of bad
  // tokens must not fill the queue that patient records need.
  void offer(std::string body);

 private:
  using Completion = boost::asio::any_completion_handler<void(bool)>;
  struct Entry {
    std::string body;
    Completion done;  // empty: nobody waits
    boost::asio::any_io_executor ex;  // where `done` runs: the waiting worker
  };

  [[nodiscard]] bool has_room() const { return depth_.load(std::memory_order_relaxed) < opt_.max_queue && sink_room_; }
  void enqueue(std::string body, Completion done, boost::asio::any_io_executor ex);
  void run();
  void idle();
  void fail(const std::string& error);
  void write_batch(std::vector<Entry>& batch, bool keep);
  [[nodiscard]] bool write_lines(std::vector<Entry>& batch, bool sync, std::string& error);
  [[nodiscard]] bool timed_sync(std::string& error);
  void complete(std::vector<Entry>& batch, bool ok);
  void refuse(std::vector<Entry>& batch, bool keep_unwaited);
  [[nodiscard]] bool probe();
  void set_healthy(bool h);
  [[nodiscard]] std::string own_record(std::string_view event, std::string_view detail) const;

  Options opt_;
  std::unique_ptr<Sink> sink_;
  observe::AuditMetrics m_;
  ChainState chain_;  // writer thread only
  std::atomic<bool> healthy_{false};
  std::atomic<bool> sink_room_{true};
  std::atomic<size_t> depth_{0};
  std::atomic<uint64_t> last_seq_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Entry> queue_;  // guarded by mu_
  bool stopping_ = false;     // guarded by mu_
  std::thread thread_;
  std::chrono::steady_clock::time_point last_sync_{};
  bool unsynced_ = false;  // writer thread only: async records written but not yet synced
  bool needs_resume_ = false;  // writer thread only: the chain must be re-read from the sink
  std::chrono::steady_clock::time_point last_probe_{};
};

}  // namespace vigie::audit

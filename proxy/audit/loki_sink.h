// Ships an audit stream to Loki through an on-disk spool: a record is durable in the spool (a
// FileSink cut into segments) before the Trail acknowledges it; a shipper thread then pushes whole
// lines in order, keeps in a cursor file how far Loki has them, and deletes the segments Loki has.
// Past spool_bytes unshipped, has_room() is false and patient-data requests get 503 (fail closed).
// Owned by a Trail: Sink methods on its writer thread. The shipper is this object's own thread,
// started by the first successful resume(), stopped (after a bounded drain) by the destructor.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/file_sink.h"
#include "audit/loki_push.h"
#include "config/audit.h"
#include "observe/metrics.h"

namespace vigie::audit {

struct LokiTuning {
  uint64_t segment_bytes = 8ull << 20;  // spool file size; Loki-shipped segments are deleted whole
  size_t batch_bytes = 1u << 20;        // one push carries at most this many bytes of lines...
  size_t batch_lines = 1000;            // ...and this many lines
  std::chrono::milliseconds timeout{10000};       // one push, resolve to answer
  std::chrono::milliseconds backoff_min{250};     // after a failed push, doubled on each failure...
  std::chrono::milliseconds backoff_max{30000};   // ...up to this
  std::chrono::milliseconds poll{1000};           // the shipper looks at the spool at least this often
  std::chrono::milliseconds drain_on_stop{5000};  // the destructor waits this long for Loki to catch up
};

class LokiSink final : public Sink {
 public:
  // `stream` (patient, security) becomes the `audit_stream` label so two chains never share a Loki
  // stream. Nothing is opened before resume().
  LokiSink(const config::AuditSink& cfg, std::string stream, observe::LokiMetrics m, LokiTuning t = {});
  ~LokiSink() override;
  LokiSink(const LokiSink&) = delete;
  LokiSink& operator=(const LokiSink&) = delete;

  // The first call also checks the Loki settings, reads the cursor and starts the shipper.
  [[nodiscard]] bool resume(ChainState& state, std::string& error) override;
  // Refuses (all or nothing) once the spool holds spool_bytes plus an eighth: records queued before
  // has_room() turned false still fit, and security events cannot fill the disk.
  [[nodiscard]] bool write(std::string_view lines, std::string& error) override;
  [[nodiscard]] bool sync(std::string& error) override;
  [[nodiscard]] bool rotate_if_due(size_t more, std::chrono::system_clock::time_point now,
                                  std::string& error) override;
  [[nodiscard]] bool has_room() const override;

  // Waits until Loki has (or has rejected) everything written so far; false when `timeout` passes
  // first. Any thread.
  bool drain(std::chrono::milliseconds timeout);
  // Bytes written to the spool that Loki does not have yet. Any thread.
  [[nodiscard]] uint64_t backlog_bytes() const { return backlog_.load(); }
  // The labels pushed with every line.
  [[nodiscard]] const std::map<std::string, std::string>& labels() const { return labels_; }

  // Beside the live file: "<path>.cursor" (how far Loki has the spool) and "<path>.rejected" (lines
  // Loki refused with a 400, fsynced, for an operator to look at).
  [[nodiscard]] static std::string cursor_path(const std::string& path) { return path + ".cursor"; }
  [[nodiscard]] static std::string rejected_path(const std::string& path) { return path + ".rejected"; }

  // Where the shipper is: a spool file (by inode, which survives the rotation's rename; the name is
  // for people and for a spool copied elsewhere), the offset of the first byte Loki does not have,
  // and the last timestamp pushed (pushed timestamps only go up, so Loki orders lines as the chain).
  struct Cursor {
    uint64_t ino = 0;  // 0: nothing shipped yet
    uint64_t offset = 0;
    int64_t last_ts = 0;
    std::string name;  // file name, without directory
  };
  [[nodiscard]] static bool load_cursor(const std::string& file, Cursor& c, std::string& error);
  [[nodiscard]] static bool save_cursor(const std::string& file, const Cursor& c, std::string& error);

 private:
  struct SpoolFile {
    std::string path;
    uint64_t ino = 0;
    uint64_t size = 0;
    bool live = false;
  };
  struct Batch;
  enum class Pass { Idle, Progress, Failed };

  [[nodiscard]] bool start_shipper(std::string& error);
  [[nodiscard]] std::vector<SpoolFile> list_spool();
  [[nodiscard]] size_t locate(const std::vector<SpoolFile>& files);
  void run();
  [[nodiscard]] Pass ship_once();
  [[nodiscard]] bool read_batch(const std::vector<SpoolFile>& files, size_t at, Batch& b);
  void advance(const std::vector<SpoolFile>& files, const Batch& b);
  void delete_shipped(const std::vector<SpoolFile>& files, size_t cursor_at);
  [[nodiscard]] bool set_aside(const Batch& b, std::string& error);
  void publish_mark(bool synced);
  void add_backlog(int64_t delta);
  [[nodiscard]] bool stopping();

  config::AuditSink cfg_;
  std::string stream_;
  observe::LokiMetrics m_;
  LokiTuning tuning_;
  FileSink file_;
  std::map<std::string, std::string> labels_;
  std::unique_ptr<LokiClient> client_;

  // The live file as the writer left it: what the shipper may read of it. Guarded by spool_mu_,
  // which also keeps the shipper's listing away from a rotation or a resume.
  std::mutex spool_mu_;
  uint64_t mark_ino_ = 0;
  uint64_t mark_written_ = 0;  // bytes whole and acknowledged by write()
  uint64_t mark_synced_ = 0;   // of which on disk
  uint64_t live_size_ = 0;     // writer thread only

  std::atomic<uint64_t> backlog_{0};
  uint64_t hard_limit_ = 0;

  Cursor cursor_;  // shipper thread only (after start)
  std::mutex mu_;
  std::condition_variable cv_;         // wakes the shipper
  std::condition_variable drained_cv_;  // wakes drain()
  bool wake_ = false;      // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace vigie::audit

#include "audit/loki_sink.h"

#include "audit/file_io.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "observe/log.h"

namespace vigie::audit {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxLine = 16u << 20;  // as FileSink: past it the spool is not ours

std::string base_name(const std::string& path) { return fs::path(path).filename().string(); }

// [at, at + n) of the file; shorter only when the file is.
bool read_range(int fd, uint64_t at, size_t n, std::string& out) {
  out.resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(at + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return true;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool header_safe(std::string_view v) {
  return std::none_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// A quarter of the spool at most, so the shipped part of the live segment (deleted only once the
// segment is rotated) stays small next to it; rotate_bytes and rotate_every do not apply: the spool
// is a buffer, Loki is the archive.
uint64_t segment_bytes(const config::AuditSink& cfg, const LokiTuning& t) {
  return std::min<uint64_t>(t.segment_bytes, std::max<uint64_t>(cfg.spool_bytes / 4, 64 * 1024));
}

}  // namespace

struct LokiSink::Batch {
  std::string data;                                 // the lines, each with its '\n'
  std::vector<std::pair<size_t, size_t>> lines;     // offset in data, length without '\n'
  uint64_t consumed = 0;                            // spool bytes covered: lines and skipped torn bytes
  size_t end_file = 0;                              // where the cursor goes once Loki has them
  uint64_t end_offset = 0;
};

LokiSink::LokiSink(const config::AuditSink& cfg, std::string stream, observe::LokiMetrics m, LokiTuning t)
    : cfg_(cfg),
      stream_(std::move(stream)),
      m_(m),
      tuning_(t),
      file_(FileSink::Options{cfg.path, segment_bytes(cfg, t), std::chrono::milliseconds(0)}) {
  labels_["job"] = "vigie-audit";
  for (const auto& [k, v] : cfg.labels) labels_[k] = v;
  labels_.try_emplace("audit_stream", stream_);
  hard_limit_ = cfg_.spool_bytes + cfg_.spool_bytes / 8;
}

LokiSink::~LokiSink() {
  if (!thread_.joinable()) return;
  if (tuning_.drain_on_stop.count() > 0 && backlog_.load() > 0 && !drain(tuning_.drain_on_stop)) {
    observe::log_warn("audit stream " + stream_ + ": stopping with " + std::to_string(backlog_.load()) +
                      " bytes not yet in Loki; they stay in the spool " + cfg_.path + " for the next start");
  }
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  client_->interrupt();
  thread_.join();
}

bool LokiSink::resume(ChainState& state, std::string& error) {
  {
    std::lock_guard lk(spool_mu_);
    if (!file_.resume(state, error)) return false;
    struct stat st{};
    if (::stat(cfg_.path.c_str(), &st) != 0) {
      error = errno_text("cannot stat", cfg_.path);
      return false;
    }
    if (!S_ISREG(st.st_mode)) {
      error = "the Loki spool " + cfg_.path + " must be a regular file";
      return false;
    }
    mark_ino_ = st.st_ino;
    mark_written_ = static_cast<uint64_t>(st.st_size);
    mark_synced_ = 0;  // what a previous process left may still be in the page cache only
  }
  return thread_.joinable() || start_shipper(error);
}

bool LokiSink::start_shipper(std::string& error) {
  auto url = push_url(cfg_.loki_url);
  if (!url) {
    error = "audit Loki URL is not an http(s) URL: " + cfg_.loki_url;
    return false;
  }
  for (const auto& [name, value] : labels_) {
    if (!valid_label_name(name)) {
      error = "audit Loki label name \"" + name + "\" is not a Loki label name ([a-zA-Z_][a-zA-Z0-9_]*)";
      return false;
    }
  }
  std::string token = cfg_.loki_token ? cfg_.loki_token->value : std::string();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (!header_safe(token) || !header_safe(cfg_.loki_tenant)) {
    error = "audit Loki token or tenant holds control characters";
    return false;
  }
  if (!url->tls && !core::is_loopback_host(url->host)) {
    observe::log_warn("audit stream " + stream_ + " is pushed to Loki over plain http (" + url->origin() +
                      "): the records name patients; use https unless the network is private");
  }
  try {
    client_ = std::make_unique<LokiClient>(
        LokiClient::Options{*url, cfg_.loki_tenant, std::move(token), cfg_.ca_file, tuning_.timeout});
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
  if (!load_cursor(cursor_path(cfg_.path), cursor_, error)) return false;

  auto files = list_spool();
  size_t at = locate(files);
  uint64_t backlog = 0;
  for (size_t i = at; i < files.size(); ++i) backlog += files[i].size;
  backlog -= std::min(backlog, cursor_.offset);
  add_backlog(static_cast<int64_t>(backlog));

  thread_ = std::thread([this] { run(); });
  return true;
}

bool LokiSink::write(std::string_view lines, std::string& error) {
  if (backlog_.load() + lines.size() > hard_limit_) {
    error = "the Loki spool " + cfg_.path + " is full (" + std::to_string(backlog_.load()) +
            " bytes not yet in Loki)";
    return false;
  }
  if (!file_.write(lines, error)) return false;
  publish_mark(false);
  add_backlog(static_cast<int64_t>(lines.size()));
  return true;
}

bool LokiSink::sync(std::string& error) {
  if (!file_.sync(error)) return false;
  publish_mark(true);
  {
    std::lock_guard lk(mu_);
    wake_ = true;
  }
  cv_.notify_one();
  return true;
}

bool LokiSink::rotate_if_due(size_t more, std::chrono::system_clock::time_point now, std::string& error) {
  std::lock_guard lk(spool_mu_);  // the shipper must not list the spool halfway through a rename
  if (!file_.rotate_if_due(more, now, error)) return false;
  struct stat st{};
  if (::stat(cfg_.path.c_str(), &st) == 0 && st.st_ino != mark_ino_) {
    mark_ino_ = st.st_ino;
    mark_written_ = static_cast<uint64_t>(st.st_size);
    mark_synced_ = 0;
  }
  return true;
}

bool LokiSink::has_room() const { return backlog_.load(std::memory_order_relaxed) < cfg_.spool_bytes; }

// The live file's size after a write is exactly what the writer acknowledged: only this thread
// writes it, and a failed write was cut back before returning.
void LokiSink::publish_mark(bool synced) {
  struct stat st{};
  if (::stat(cfg_.path.c_str(), &st) != 0) return;
  std::lock_guard lk(spool_mu_);
  if (static_cast<uint64_t>(st.st_ino) != mark_ino_) mark_synced_ = 0;
  mark_ino_ = st.st_ino;
  mark_written_ = static_cast<uint64_t>(st.st_size);
  if (synced) mark_synced_ = mark_written_;
}

bool LokiSink::stopping() {
  std::lock_guard lk(mu_);
  return stopping_;
}

void LokiSink::add_backlog(int64_t delta) {
  uint64_t now = delta >= 0 ? backlog_.fetch_add(static_cast<uint64_t>(delta)) + static_cast<uint64_t>(delta)
                            : backlog_.fetch_sub(static_cast<uint64_t>(-delta)) - static_cast<uint64_t>(-delta);
  if (m_.spool_bytes) m_.spool_bytes->Set(static_cast<double>(now));
}

bool LokiSink::drain(std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  return drained_cv_.wait_for(lk, timeout, [&] { return backlog_.load() == 0; });
}

std::vector<LokiSink::SpoolFile> LokiSink::list_spool() {
  std::vector<SpoolFile> out;
  std::lock_guard lk(spool_mu_);
  auto names = FileSink::rotated_files(cfg_.path);
  names.push_back(cfg_.path);
  for (auto& name : names) {
    struct stat st{};
    if (::stat(name.c_str(), &st) != 0) continue;
    bool live = name == cfg_.path;
    uint64_t size = static_cast<uint64_t>(st.st_size);
    // Of the live file, only what the writer acknowledged: a write in progress, or one that failed
    // and is being cut back, is not a record yet.
    if (live) size = static_cast<uint64_t>(st.st_ino) == mark_ino_ ? std::min(size, mark_written_) : 0;
    out.push_back({std::move(name), static_cast<uint64_t>(st.st_ino), size, live});
  }
  return out;
}

// The index of the cursor's file. Found by inode (a rotation renames the live file under the
// shipper); else by name (a spool restored elsewhere); else the spool was changed behind our back,
// and everything is pushed again: duplicates in Loki are better than a hole in the trail.
size_t LokiSink::locate(const std::vector<SpoolFile>& files) {
  if (cursor_.ino != 0) {
    for (size_t i = 0; i < files.size(); ++i) {
      if (files[i].ino == cursor_.ino) return i;
    }
    for (size_t i = 0; i < files.size(); ++i) {
      if (base_name(files[i].path) == cursor_.name) {
        cursor_.ino = files[i].ino;
        return i;
      }
    }
    observe::log_warn("audit stream " + stream_ + ": the spool file " + cursor_.name +
                      " the Loki cursor names is gone; pushing the whole spool again");
  }
  cursor_.offset = 0;
  cursor_.ino = files.empty() ? 0 : files.front().ino;
  cursor_.name = files.empty() ? std::string() : base_name(files.front().path);
  return 0;
}

void LokiSink::run() {
  pthread_setname_np(pthread_self(), ("loki-" + stream_).substr(0, 15).c_str());
  auto backoff = tuning_.backoff_min;
  Pass last = Pass::Progress;  // a backlog left by the previous run goes at once
  int failures = 0;
  for (;;) {
    {
      std::unique_lock lk(mu_);
      if (last == Pass::Failed) {
        // Only stopping ends a backoff early: a Trail writing during an outage must not turn the
        // backoff into one push per write.
        cv_.wait_for(lk, backoff, [&] { return stopping_; });
      } else if (last == Pass::Idle) {
        cv_.wait_for(lk, tuning_.poll, [&] { return stopping_ || wake_; });
      }
      if (stopping_) return;
      wake_ = false;
    }
    last = ship_once();
    if (last == Pass::Failed) {
      backoff = failures++ == 0 ? tuning_.backoff_min : std::min(backoff * 2, tuning_.backoff_max);
    } else if (last == Pass::Progress && failures > 0) {
      observe::log_info("audit stream " + stream_ + ": Loki takes records again after " + std::to_string(failures) +
                        " failed pushes");
      failures = 0;
    }
  }
}

LokiSink::Pass LokiSink::ship_once() {
  auto files = list_spool();
  if (files.empty()) return Pass::Idle;
  size_t at = locate(files);
  if (at > 0) delete_shipped(files, at);

  Batch b;
  if (!read_batch(files, at, b)) return Pass::Failed;
  bool moved = b.end_file != at || b.end_offset != cursor_.offset;
  if (b.lines.empty()) {
    if (moved) advance(files, b);
    return moved ? Pass::Progress : Pass::Idle;
  }

  std::vector<LokiEntry> entries;
  entries.reserve(b.lines.size());
  int64_t last = cursor_.last_ts;
  for (auto [off, len] : b.lines) {
    std::string_view line(b.data.data() + off, len);
    // Strictly increasing: Loki then orders the stream as the chain, and even a Loki that refuses
    // out-of-order entries takes records that workers queued slightly out of time order. Computed
    // from the persisted cursor, so a batch pushed again gets the same timestamps (Loki drops the
    // duplicates of an entry it has).
    int64_t ts = std::max(record_time_ns(line).value_or(now_ns()), last + 1);
    entries.push_back({ts, line});
    last = ts;
  }
  std::string body = push_body(labels_, entries);
  auto t0 = std::chrono::steady_clock::now();
  PushOutcome out = client_->push(body);
  if (m_.push_seconds) {
    m_.push_seconds->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  switch (out.kind) {
    case PushOutcome::Kind::Accepted:
      if (m_.pushed) m_.pushed->Increment(static_cast<double>(entries.size()));
      break;
    case PushOutcome::Kind::Rejected: {
      observe::log_error("audit stream " + stream_ + ": Loki refused " + std::to_string(entries.size()) +
                         " records (HTTP " + std::to_string(out.status) + ": " + out.detail + "); they are kept in " +
                         rejected_path(cfg_.path));
      std::string error;
      if (!set_aside(b, error)) {
        observe::log_error("audit stream " + stream_ + ": " + error + "; the records stay in the spool");
        return Pass::Failed;
      }
      if (m_.rejected) m_.rejected->Increment(static_cast<double>(entries.size()));
      break;
    }
    case PushOutcome::Kind::Retry: {
      if (stopping()) return Pass::Failed;  // interrupted by the destructor: not Loki's failure
      if (auto* c = m_.failures[static_cast<size_t>(out.failure)]) c->Increment();
      observe::log_warn("audit stream " + stream_ + ": push to Loki failed" +
                        (out.status ? " (HTTP " + std::to_string(out.status) + ")" : std::string()) + ": " +
                        out.detail + "; " + std::to_string(backlog_.load()) + " bytes wait in the spool");
      return Pass::Failed;
    }
  }
  cursor_.last_ts = last;
  advance(files, b);
  return Pass::Progress;
}

bool LokiSink::read_batch(const std::vector<SpoolFile>& files, size_t at, Batch& b) {
  size_t k = at;
  uint64_t off = std::min(cursor_.offset, files[at].size);
  uint64_t synced = 0, mark_ino = 0;
  {
    std::lock_guard lk(spool_mu_);
    synced = mark_synced_;
    mark_ino = mark_ino_;
  }
  while (b.lines.size() < tuning_.batch_lines && b.data.size() < tuning_.batch_bytes) {
    const SpoolFile& f = files[k];
    if (off < f.size) {
      int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
      struct stat st{};
      if (fd < 0 || ::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_ino) != f.ino) {
        if (fd >= 0) ::close(fd);
        break;  // renamed by a rotation since the listing: the next pass sees it under its new name
      }
      // A record goes to Loki only once it is on disk here: else a crash could leave Loki with
      // records that the restarted chain reuses the sequence numbers of.
      if (f.live && f.ino == mark_ino && f.size > synced) {
        if (::fdatasync(fd) != 0) {
          observe::log_error("audit stream " + stream_ + ": " + errno_text("cannot sync", f.path));
          ::close(fd);
          return false;
        }
        std::lock_guard lk(spool_mu_);
        if (mark_ino_ == f.ino) mark_synced_ = std::max(mark_synced_, f.size);
      }
      std::string chunk;
      bool ok = true;
      while (off < f.size && b.lines.size() < tuning_.batch_lines) {
        size_t room = tuning_.batch_bytes > b.data.size() ? tuning_.batch_bytes - b.data.size() : 0;
        // A line longer than a whole batch still goes, alone.
        size_t want = static_cast<size_t>(std::min<uint64_t>(f.size - off, b.lines.empty() ? kMaxLine : room));
        if (want == 0 || !(ok = read_range(fd, off, want, chunk))) break;
        size_t start = 0, nl = 0;
        while (b.lines.size() < tuning_.batch_lines && (nl = chunk.find('\n', start)) != std::string::npos) {
          if (nl > start) b.lines.emplace_back(b.data.size() + start, nl - start);  // where it lands below
          start = nl + 1;
        }
        if (start == 0) {
          if (!f.live && (want == f.size - off || want == kMaxLine)) {
            // A rotated file ends with bytes that are not a line (or an impossible line): they were
            // never a record. Skipped so the spool does not stall behind them.
            observe::log_warn("audit stream " + stream_ + ": skipping " + std::to_string(want) +
                              " bytes that are not a whole record in " + f.path);
            b.consumed += want;
            off += want;
          }
          break;
        }
        b.data.append(chunk, 0, start);
        b.consumed += start;
        off += start;
      }
      ::close(fd);
      if (!ok) {
        observe::log_error("audit stream " + stream_ + ": " + errno_text("cannot read", f.path));
        return false;
      }
    }
    if (off >= f.size && !f.live && k + 1 < files.size()) {
      ++k;
      off = 0;
      continue;
    }
    break;
  }
  b.end_file = k;
  b.end_offset = off;
  return true;
}

void LokiSink::advance(const std::vector<SpoolFile>& files, const Batch& b) {
  cursor_.ino = files[b.end_file].ino;
  cursor_.name = base_name(files[b.end_file].path);
  cursor_.offset = b.end_offset;
  std::string error;
  if (!save_cursor(cursor_path(cfg_.path), cursor_, error)) {
    // Loki has the lines; a restart before the next save pushes them again (Loki drops entries it
    // has). Segments are kept until a cursor past them is on disk.
    observe::log_error("audit stream " + stream_ + ": " + error);
  } else {
    delete_shipped(files, b.end_file);
  }
  add_backlog(-static_cast<int64_t>(b.consumed));
  std::lock_guard lk(mu_);  // drain() either sees the new backlog or is already waiting
  drained_cv_.notify_all();
}

// Deletes the rotated files before the cursor's, which Loki has, except the newest one while the
// live file is empty: it holds the chain's last record, which resume() continues from.
void LokiSink::delete_shipped(const std::vector<SpoolFile>& files, size_t cursor_at) {
  std::lock_guard lk(spool_mu_);
  struct stat live{};
  bool live_empty = ::stat(cfg_.path.c_str(), &live) != 0 || live.st_size == 0;
  for (size_t i = 0; i < cursor_at && i < files.size(); ++i) {
    if (files[i].live) continue;
    bool newest = i + 1 < files.size() && files[i + 1].live;
    if (newest && live_empty) continue;
    if (::unlink(files[i].path.c_str()) != 0 && errno != ENOENT) {
      observe::log_warn("audit stream " + stream_ + ": " + errno_text("cannot delete shipped spool file", files[i].path));
    }
  }
}

bool LokiSink::set_aside(const Batch& b, std::string& error) {
  std::string path = rejected_path(cfg_.path);
  bool existed = ::access(path.c_str(), F_OK) == 0;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);  // 0600: it names patients
  if (fd < 0) {
    error = errno_text("cannot open", path);
    return false;
  }
  bool ok = write_all(fd, b.data) && ::fdatasync(fd) == 0;
  if (!ok) error = errno_text("cannot write", path);
  ::close(fd);
  return ok && (existed || sync_directory_of(path, error));
}

bool LokiSink::load_cursor(const std::string& file, Cursor& c, std::string& error) {
  c = Cursor{};
  std::error_code ec;
  if (!fs::exists(file, ec) && !ec) return true;  // nothing shipped yet
  std::ifstream in(file);
  if (!in) {
    error = "cannot read the Loki cursor " + file;
    return false;
  }
  std::string line;
  std::getline(in, line);
  // "<inode> <offset> <last timestamp ns> <file name>"
  std::istringstream fields(line);
  std::string name;
  if (!(fields >> c.ino >> c.offset >> c.last_ts) || fields.get() != ' ' || !std::getline(fields, name) ||
      name.empty() || c.ino == 0) {
    c = Cursor{};
    error = "the Loki cursor " + file + " is not \"<inode> <offset> <last ns> <file>\" (delete it to push the "
            "whole spool again)";
    return false;
  }
  c.name = std::move(name);
  return true;
}

bool LokiSink::save_cursor(const std::string& file, const Cursor& c, std::string& error) {
  std::string tmp = file + ".tmp";
  std::string text = std::to_string(c.ino) + " " + std::to_string(c.offset) + " " + std::to_string(c.last_ts) +
                     " " + c.name + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = errno_text("cannot write the Loki cursor", tmp);
    return false;
  }
  bool ok = write_all(fd, text) && ::fdatasync(fd) == 0;
  ::close(fd);
  // rename + directory sync: after a crash the cursor is the old one or the new one, never half.
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) {
    error = errno_text("cannot write the Loki cursor", file);
    return false;
  }
  return sync_directory_of(file, error);
}

}  // namespace vigie::audit

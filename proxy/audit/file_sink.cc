#include "audit/file_sink.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

#include "audit/file_io.h"

namespace vigie::audit {
namespace fs = std::filesystem;

namespace {

// "20261204T163005.123Z": sorts as time does.
std::string utc_stamp(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

// "20261204T163005.123Z", optionally "-N": what rotate() names, and nothing else (an operator's
// "patient.log.20261204T163005.123Z.gz" is not a chain file Vigie reads back).
bool is_stamp(std::string_view s) {
  constexpr std::string_view kFull = "ddddddddTdddddd.dddZ";  // 8 digits, T, 6 digits, '.', 3 digits, Z
  if (s.size() < kFull.size()) return false;
  for (size_t i = 0; i < kFull.size(); ++i) {
    bool ok = kFull[i] == 'd' ? std::isdigit(static_cast<unsigned char>(s[i])) != 0 : s[i] == kFull[i];
    if (!ok) return false;
  }
  std::string_view rest = s.substr(kFull.size());
  if (rest.empty()) return true;
  if (rest.size() < 2 || rest[0] != '-') return false;
  return std::all_of(rest.begin() + 1, rest.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

bool read_at(int fd, char* buf, size_t n, uint64_t at, std::string& error) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(at));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      error = std::string("cannot read: ") + (r == 0 ? "unexpected end of file" : std::strerror(errno));
      return false;
    }
    buf += r;
    n -= static_cast<size_t>(r);
    at += static_cast<uint64_t>(r);
  }
  return true;
}

// Reads the last complete line of `path` into `line` (empty when the file has none).
bool last_line_of(const std::string& path, std::string& line, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = errno_text("cannot open", path);
    return false;
  }
  struct stat st{};
  uint64_t torn = 0;
  bool ok = ::fstat(fd, &st) == 0 && last_line(fd, static_cast<uint64_t>(st.st_size), line, torn, error);
  ::close(fd);
  if (!ok && error.empty()) error = errno_text("cannot read", path);
  return ok;
}

// The mac before `last` (the last line of `file`, `size` bytes, the line `last_len` long): all zero
// for a first record, from the line before it otherwise; nullopt when that line is in another file.
bool previous_mac(const std::string& file, uint64_t size, size_t last_len, const Sealed& last,
                  std::optional<std::string>& mac, std::string& error) {
  if (last.seq == 1) {
    mac = std::string(32, '\0');
    return true;
  }
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = errno_text("cannot open", file);
    return false;
  }
  std::string prev;
  uint64_t torn = 0;
  uint64_t start_of_last = size >= last_len + 1 ? size - last_len - 1 : 0;  // the file ends "prev\nlast\n"
  bool ok = last_line(fd, start_of_last, prev, torn, error);
  ::close(fd);
  if (!ok) return false;
  auto p = unseal(prev);
  if (p && p->seq + 1 == last.seq) mac = p->mac;
  return true;
}

}  // namespace

bool last_line(int fd, uint64_t size, std::string& line, uint64_t& torn_at, std::string& error) {
  constexpr size_t kBlock = 64 * 1024;
  constexpr size_t kMaxLine = 16u << 20;
  line.clear();
  std::string tail;  // the file from `pos` to its end
  uint64_t pos = size;
  std::optional<uint64_t> last_newline;
  while (pos > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kBlock, pos));
    pos -= n;
    std::string block(n, '\0');
    if (!read_at(fd, block.data(), n, pos, error)) return false;
    tail.insert(0, block);
    if (!last_newline) {
      size_t r = block.rfind('\n');
      if (r != std::string::npos) last_newline = pos + r;
    }
    if (last_newline) {
      size_t end = static_cast<size_t>(*last_newline - pos);
      size_t prev = end == 0 ? std::string::npos : tail.rfind('\n', end - 1);
      if (prev != std::string::npos) {
        line = tail.substr(prev + 1, end - prev - 1);
        torn_at = *last_newline + 1;
        return true;
      }
    }
    if (tail.size() > kMaxLine) {
      error = "a line longer than 16 MiB: not an audit trail";
      return false;
    }
  }
  torn_at = last_newline ? *last_newline + 1 : 0;
  if (last_newline) line = tail.substr(0, static_cast<size_t>(*last_newline));
  return true;
}

FileSink::FileSink(Options o) : opt_(std::move(o)) {}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

bool FileSink::open(std::string& error) {
  std::error_code ec;
  fs::path dir = fs::path(opt_.path).parent_path();
  if (!dir.empty() && !fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      error = "cannot create the directory of " + opt_.path + ": " + ec.message();
      return false;
    }
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  // 0600: the trail names patients; only Vigie's user reads it (operators use group ACLs if needed).
  fd_ = ::open(opt_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    error = errno_text("cannot open", opt_.path);
    return false;
  }
  struct stat st{};
  if (::fstat(fd_, &st) != 0) {
    error = errno_text("cannot stat", opt_.path);
    return false;
  }
  regular_ = S_ISREG(st.st_mode);
  // One writer per chain: a second process (two replicas on one volume) would interleave two
  // chains in one file, and neither would verify.
  if (regular_ && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    error = errno_text("another process holds", opt_.path) + " (one Vigie per audit file: give each replica its own)";
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  size_ = regular_ ? static_cast<uint64_t>(st.st_size) : 0;
  opened_ = std::chrono::system_clock::now();
  return true;
}

bool FileSink::resume(ChainState& state, std::string& error) {
  state = ChainState{};
  if (fd_ >= 0) ::close(fd_);  // a resume after a failure starts from what the file really holds
  fd_ = -1;
  if (!open(error)) return false;
  if (!regular_) return true;
  std::string line;
  uint64_t torn_at = 0;
  int rfd = ::open(opt_.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (rfd < 0) {
    error = errno_text("cannot open", opt_.path);
    return false;
  }
  bool ok = last_line(rfd, size_, line, torn_at, error);
  ::close(rfd);
  if (!ok) return false;
  if (torn_at < size_) {
    // A line without its '\n' was being written when the process died: it was never acknowledged
    // (a record counts once it is whole and synced), so it is cut off and the chain goes on.
    if (::ftruncate(fd_, static_cast<off_t>(torn_at)) != 0) {
      error = errno_text("cannot cut the torn last line of", opt_.path);
      return false;
    }
    size_ = torn_at;
  }
  std::string source = opt_.path;
  if (line.empty()) {
    auto rotated = rotated_files(opt_.path);
    for (auto it = rotated.rbegin(); it != rotated.rend() && line.empty(); ++it) {
      if (!last_line_of(*it, line, error)) return false;
      source = *it;
    }
  }
  if (line.empty()) return true;
  auto sealed = unseal(line);
  if (!sealed) {
    error = "the last line of " + source +
            " is not a sealed audit record: the chain cannot go on (move the file aside to start a new one)";
    return false;
  }
  if (!opt_.key.empty() && !key_seals(source, line, *sealed, error)) return false;
  state.seq = sealed->seq;
  state.mac = sealed->mac;
  return true;
}

// A chain continued under another key would verify under neither: the last record must verify
// under the key Vigie is about to seal with.
bool FileSink::key_seals(const std::string& file, const std::string& line, const Sealed& last, std::string& error) {
  std::error_code ec;
  uint64_t size = source_size(file, ec);
  std::optional<std::string> prev;
  if (ec || !previous_mac(file, size, line.size(), last, prev, error)) {
    if (error.empty()) error = "cannot read " + file + ": " + ec.message();
    return false;
  }
  if (!prev || chain_mac(opt_.key, *prev, last.seq, last.body) == last.mac) return true;
  error = "the last record of " + file + " does not verify under the configured audit key: the key changed or the " +
          "file was altered (run vigie audit verify; restore the key, or move the files aside to start a new chain)";
  return false;
}

uint64_t FileSink::source_size(const std::string& file, std::error_code& ec) const {
  if (file == opt_.path) return size_;
  return fs::file_size(file, ec);
}

bool FileSink::write(std::string_view lines, std::string& error) {
  if (fd_ < 0 && !open(error)) return false;
  if (!write_all(fd_, lines)) {
    error = errno_text("cannot write", opt_.path);
    // All or nothing: a partial record would end the chain in the middle of a line.
    if (regular_ && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0) error += " (and cannot cut it back)";
    return false;
  }
  if (regular_) size_ += lines.size();
  return true;
}

bool FileSink::sync(std::string& error) {
  if (fd_ < 0) return true;
  if (::fdatasync(fd_) == 0 || (!regular_ && errno == EINVAL)) return true;
  error = errno_text("cannot sync", opt_.path);
  return false;
}

bool FileSink::rotate_if_due(size_t more, std::chrono::system_clock::time_point now, std::string& error) {
  if (fd_ < 0 && !open(error)) return false;
  if (!regular_ || size_ == 0) return true;
  bool by_size = opt_.rotate_bytes > 0 && size_ + more > opt_.rotate_bytes;
  bool by_age = opt_.rotate_every.count() > 0 && now - opened_ >= opt_.rotate_every;
  return (by_size || by_age) ? rotate(now, error) : true;
}

bool FileSink::rotate(std::chrono::system_clock::time_point now, std::string& error) {
  if (!sync(error)) return false;
  std::string target = opt_.path + "." + utc_stamp(now);
  for (int i = 1; fs::exists(target); ++i) target = opt_.path + "." + utc_stamp(now) + "-" + std::to_string(i);
  if (::rename(opt_.path.c_str(), target.c_str()) != 0 && errno != ENOENT) {
    error = errno_text("cannot rotate", opt_.path);
    return false;
  }
  // ENOENT: someone moved the live file away; a new one is opened and the chain goes on in it.
  ::close(fd_);
  fd_ = -1;
  // The rename must survive a crash too, or the chain's next file would seem to start from nothing.
  return open(error) && sync_directory_of(opt_.path, error);
}

std::vector<std::string> FileSink::rotated_files(const std::string& path) {
  std::vector<std::string> out;
  fs::path p(path);
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  std::string prefix = p.filename().string() + ".";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    // "<name>.2026..." only: the spool's cursor file and operators' copies are not chain files.
    if (name.starts_with(prefix) && is_stamp(std::string_view(name).substr(prefix.size())) && e.is_regular_file()) {
      out.push_back((p.parent_path() / name).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool StdoutSink::resume(ChainState& state, std::string&) {
  state = ChainState{};
  return true;
}

bool StdoutSink::write(std::string_view lines, std::string& error) {
  if (write_all(STDOUT_FILENO, lines)) return true;
  error = errno_text("cannot write", "stdout");
  return false;
}

}  // namespace vigie::audit

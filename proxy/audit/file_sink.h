// The file sink: appends sealed lines to one live file, fdatasync on demand, and rotates it by size
// or age to "<path>.<UTC time>" (sorting by name sorts by time) without breaking the chain: the
// new file's first record chains to the old file's last. On start it resumes the chain from the
// last complete line (a torn line left by a crash is cut off: it was never acknowledged).
// Owned by a Trail; writer thread only.
#pragma once

#include <chrono>
#include <string>
#include <system_error>
#include <vector>

#include "audit/sink.h"

namespace vigie::audit {

class FileSink final : public Sink {
 public:
  struct Options {
    std::string path;
    uint64_t rotate_bytes = 0;              // 0: never by size
    std::chrono::milliseconds rotate_every{0};  // 0: never by age
    std::string key;  // the chain key: resume() refuses a chain whose last record it does not verify
  };
  explicit FileSink(Options o);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  [[nodiscard]] bool resume(ChainState& state, std::string& error) override;
  [[nodiscard]] bool write(std::string_view lines, std::string& error) override;
  [[nodiscard]] bool sync(std::string& error) override;
  [[nodiscard]] bool rotate_if_due(size_t more, std::chrono::system_clock::time_point now,
                                  std::string& error) override;

  // The rotated files of `path`, oldest first.
  [[nodiscard]] static std::vector<std::string> rotated_files(const std::string& path);

 private:
  [[nodiscard]] bool open(std::string& error);
  [[nodiscard]] bool rotate(std::chrono::system_clock::time_point now, std::string& error);
  [[nodiscard]] bool key_seals(const std::string& file, const std::string& line, const Sealed& last, std::string& error);
  [[nodiscard]] uint64_t source_size(const std::string& file, std::error_code& ec) const;

  Options opt_;
  int fd_ = -1;
  bool regular_ = true;  // false for a device or a pipe: no resume, no rotation, no truncation
  uint64_t size_ = 0;
  std::chrono::system_clock::time_point opened_{};
};

// Appends to standard output (for a log collector such as Alloy). The chain spans one process
// life: there is nothing to resume from.
class StdoutSink final : public Sink {
 public:
  [[nodiscard]] bool resume(ChainState& state, std::string& error) override;
  [[nodiscard]] bool write(std::string_view lines, std::string& error) override;
  [[nodiscard]] bool sync(std::string&) override { return true; }
  [[nodiscard]] bool rotate_if_due(size_t, std::chrono::system_clock::time_point, std::string&) override {
    return true;
  }
};

// The last complete line of a file (without its '\n'), reading backwards from the end; sets
// `torn_at` to the offset after that line's '\n' when bytes follow it. Empty when there is none.
[[nodiscard]] bool last_line(int fd, uint64_t size, std::string& line, uint64_t& torn_at, std::string& error);

}  // namespace vigie::audit

// POSIX file helpers shared by the audit sinks (the trail's writer thread and the Loki shipper):
// whole writes that survive EINTR and short writes, a directory fsync that makes a rename durable,
// and errno as text for error messages. Stateless; any thread.
#pragma once

#include <string>
#include <string_view>

namespace vigie::audit {

// "what path: strerror(errno)".
[[nodiscard]] std::string errno_text(std::string_view what, const std::string& path);
// Writes all of `data`; false with errno set (EIO for a write of zero bytes).
[[nodiscard]] bool write_all(int fd, std::string_view data);
// fsyncs the directory holding `path`, so that a file created or renamed there survives a crash.
[[nodiscard]] bool sync_directory_of(const std::string& path, std::string& error);

}  // namespace vigie::audit

// Fuzz target: `vigie audit verify` reading an audit file an attacker may have written. The input
// is the file's content; the verifier must never crash, must report a break or an intact chain, and
// each line that unseals must give back a body that is a prefix of the line.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "audit/chain.h"
#include "audit/verify.h"

namespace {

constexpr std::string_view kKey = "fuzz-key-0123456789abcdef0123456789";

const std::string& scratch() {
  static const std::string path = "/tmp/vigie-audit-fuzz-" + std::to_string(::getpid()) + ".log";
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (auto s = vigie::audit::unseal(line)) {
      if (!line.starts_with(s->body) || s->mac.size() != 32) std::abort();
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  {
    std::ofstream out(scratch(), std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  auto r = vigie::audit::verify_files({scratch()}, kKey);
  if (r.ok != r.problem.empty()) std::abort();
  if (r.ok && r.records > 0 && r.last_seq < r.first_seq) std::abort();
  ::unlink(scratch().c_str());
  return 0;
}

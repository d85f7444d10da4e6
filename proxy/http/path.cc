#include "http/path.h"

namespace vigie::http {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

core::Result<std::string, PathError> decode(std::string_view raw) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '%') {
      if (i + 2 >= raw.size()) return core::fail(PathError::BadEscape);
      int hi = hex(raw[i + 1]), lo = hex(raw[i + 2]);
      if (hi < 0 || lo < 0) return core::fail(PathError::BadEscape);
      unsigned char v = static_cast<unsigned char>(hi * 16 + lo);
      if (v == 0) return core::fail(PathError::BadEscape);
      // Go (Grafana, Prometheus) routes on the decoded path: "/api%2Fadmin" would be one segment to
      // Vigie's router and policies and "/api/admin" to the upstream. Refused, as Tomcat does.
      if (v == '/' || v == '\\') return core::fail(PathError::EncodedSlash);
      if (unreserved(v)) {
        out += static_cast<char>(v);
      } else {
        out += '%';
        out += kHex[v >> 4];
        out += kHex[v & 0xf];
      }
      i += 2;
      continue;
    }
    if (c <= 0x20 || c == 0x7f || c == '\\' || c == '#') return core::fail(PathError::BadCharacter);
    if (c >= 0x80) {
      // Raw UTF-8 and its percent-encoded form must be one path to the router and the upstream.
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

// Removes dot segments and empty segments (RFC 3986 §5.2.4, plus slash merging).
core::Result<std::string, PathError> resolve(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  bool trailing_slash = false;
  size_t pos = 1;  // in[0] == '/'
  while (pos <= in.size()) {
    size_t end = in.find('/', pos);
    if (end == std::string_view::npos) end = in.size();
    std::string_view seg = in.substr(pos, end - pos);
    pos = end + 1;
    bool last = end == in.size();
    std::string_view name = seg.substr(0, seg.find(';'));
    if (name == "." || name == "..") {
      if (name.size() != seg.size()) return core::fail(PathError::HiddenDotSegment);
      if (name == "..") {
        if (out.empty()) return core::fail(PathError::EscapesRoot);
        out.resize(out.rfind('/'));
      }
      trailing_slash = last;
      continue;
    }
    if (seg.empty()) {
      trailing_slash = last;
      continue;
    }
    out += '/';
    out += seg;
    trailing_slash = false;
  }
  if (out.empty() || trailing_slash) out += '/';
  return out;
}

bool needs_work(std::string_view p) {
  for (unsigned char c : p) {
    if (c >= 0x80) return true;
  }
  return p.find('%') != std::string_view::npos || p.find("//") != std::string_view::npos ||
         p.find("/.") != std::string_view::npos;
}

bool plain_chars(std::string_view p) {
  for (unsigned char c : p) {
    if (c <= 0x20 || c == 0x7f || c == '\\' || c == '#') return false;
  }
  return true;
}

}  // namespace

core::Result<Target, PathError> normalise_target(std::string_view target) {
  if (target.empty() || target.front() != '/') return core::fail(PathError::NotOriginForm);
  size_t q = target.find('?');
  std::string_view raw = target.substr(0, q);
  Target t;
  if (q != std::string_view::npos) t.query = target.substr(q + 1);
  if (t.query.find('#') != std::string_view::npos) return core::fail(PathError::BadCharacter);
  if (!needs_work(raw)) {
    if (!plain_chars(raw)) return core::fail(PathError::BadCharacter);
    t.path = std::string(raw);
    return t;
  }
  auto decoded = decode(raw);
  if (!decoded) return core::fail(decoded.error());
  auto resolved = resolve(*decoded);
  if (!resolved) return core::fail(resolved.error());
  t.path = std::move(*resolved);
  return t;
}

}  // namespace vigie::http

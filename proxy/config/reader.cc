#include "config/reader.h"

#include <charconv>
#include <cstdlib>
#include <fstream>

#include "core/duration.h"

namespace vigie::config {

Reader::Reader(const YAML::Node& node, std::string path, LoadContext& ctx)
    : node_(node), path_(std::move(path)), ctx_(ctx) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    ctx_.errors.push_back({ctx_.file, line_of(node_), path_, "expected a mapping"});
  }
}

int Reader::line_of(const YAML::Node& n) const { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }
int Reader::line() const { return line_of(node_); }

std::string Reader::key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

int Reader::key_line(const std::string& key) const {
  // The key's own line: a null or multi-line value may start elsewhere.
  if (node_.IsMap()) {
    for (const auto& kv : node_) {
      if (kv.first.Scalar() == key) return line_of(kv.first);
    }
  }
  return line_of(node_);
}

void Reader::error(const std::string& key, const std::string& message) {
  ctx_.errors.push_back({ctx_.file, key_line(key), key.empty() ? path_ : key_path(key), message});
}

YAML::Node Reader::get(const std::string& key) {
  read_.insert(key);
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  return node_[key];
}

std::optional<std::string> Reader::str(const std::string& key, bool required) {
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) error(key, "is required");
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    error(key, "expected a string");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<uint64_t> Reader::uint(const std::string& key, uint64_t min, uint64_t max) {
  auto s = str(key);
  if (!s) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc{} || end != s->data() + s->size() || v < min || v > max) {
    error(key, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                   ", got '" + *s + "'");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> Reader::boolean(const std::string& key) {
  auto s = str(key);
  if (!s) return std::nullopt;
  if (*s == "true") return true;
  if (*s == "false") return false;
  error(key, "expected true or false, got '" + *s + "'");
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> Reader::duration(const std::string& key, bool zero_allowed) {
  auto s = str(key);
  if (!s) return std::nullopt;
  auto d = core::parse_duration(*s);
  if (d && d->count() == 0 && !zero_allowed) {
    error(key, "must be longer than zero");
    return std::nullopt;
  }
  if (!d) {
    error(key, "expected a duration such as 500ms, 10s, 5m or 1h (at most a day), got '" + *s + "'");
    return std::nullopt;
  }
  return *d;
}

std::vector<std::string> Reader::strings(const std::string& key) {
  YAML::Node n = get(key);
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (n.IsScalar()) {
    // "roles: A, B" is one string "A, B" to YAML, which would never match: say how to write a list.
    if (n.Scalar().find(',') != std::string::npos) {
      error(key, "holds a ',': write a list as [a, b]");
      return out;
    }
    return {n.Scalar()};
  }
  if (!n.IsSequence()) {
    error(key, "expected a list of strings");
    return out;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      ctx_.errors.push_back({ctx_.file, line_of(n[i]), key_path(key) + "[" + std::to_string(i) + "]",
                             "expected a string"});
      continue;
    }
    out.push_back(n[i].Scalar());
  }
  return out;
}

namespace {

std::optional<std::string> read_small_file(const std::string& path) {
  constexpr size_t kMaxSecretBytes = 64 * 1024;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data(kMaxSecretBytes + 1, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  if (data.size() > kMaxSecretBytes) return std::nullopt;
  return data;
}

// Files written by `echo` or by Kubernetes from a literal end with a newline that is not part of
// the secret.
void trim_newlines(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
}

}  // namespace

std::optional<Secret> Reader::secret(const std::string& key, bool required) {
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) error(key, "is required ({file: PATH} or {env: NAME})");
    return std::nullopt;
  }
  // Secrets never sit in the config file: it is read by many people and copied into ConfigMaps.
  if (!n.IsMap()) {
    error(key, "secrets are never written in the config: use {file: PATH} or {env: NAME}");
    return std::nullopt;
  }
  Reader r(n, key_path(key), ctx_);
  auto file = r.str("file");
  auto env = r.str("env");
  r.finish();
  if (file.has_value() == env.has_value()) {
    error(key, "needs exactly one of file, env");
    return std::nullopt;
  }
  Secret s;
  s.source = file ? "file " + *file : "env " + *env;
  if (!ctx_.read_secrets) return s;
  if (file) {
    auto data = read_small_file(*file);
    if (!data) {
      r.error("file", "cannot read " + *file + " (missing, unreadable or over 64 KiB)");
      return std::nullopt;
    }
    s.value = std::move(*data);
  } else {
    const char* v = std::getenv(env->c_str());
    if (!v) {
      r.error("env", "environment variable " + *env + " is not set");
      return std::nullopt;
    }
    s.value = v;
  }
  trim_newlines(s.value);
  if (s.value.empty()) {
    error(key, s.source + " is empty");
    return std::nullopt;
  }
  return s;
}

void Reader::each(const std::string& key, const std::function<void(Reader&)>& fn, bool required) {
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) error(key, "is required");
    return;
  }
  if (!n.IsSequence()) {
    error(key, "expected a list");
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    Reader r(n[i], key_path(key) + "[" + std::to_string(i) + "]", ctx_);
    if (!n[i].IsMap()) continue;  // the constructor reported it
    fn(r);
    r.finish();
  }
}

bool Reader::child(const std::string& key, const std::function<void(Reader&)>& fn) {
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) return false;
  Reader r(n, key_path(key), ctx_);
  if (!n.IsMap()) return false;
  fn(r);
  r.finish();
  return true;
}

std::vector<std::string> Reader::keys() const {
  std::vector<std::string> out;
  if (!node_.IsMap()) return out;
  for (const auto& kv : node_) out.push_back(kv.first.Scalar());
  return out;
}

void Reader::finish() {
  if (!node_.IsMap()) return;
  std::set<std::string> seen;
  for (const auto& kv : node_) {
    std::string k = kv.first.Scalar();
    // YAML parsers keep one of two equal keys silently: "auth: public" then "auth: session" must
    // not quietly leave a route public.
    if (!seen.insert(k).second) {
      ctx_.errors.push_back({ctx_.file, line_of(kv.first), key_path(k), "duplicate key"});
    }
    if (!read_.contains(k)) {
      ctx_.errors.push_back({ctx_.file, line_of(kv.first), key_path(k), "unknown key"});
    }
  }
}

}  // namespace vigie::config

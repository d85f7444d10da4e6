#include "audit/chain.h"

#include <charconv>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace vigie::audit {
namespace {

constexpr std::string_view kJsonSeq = ",\"seq\":";
constexpr std::string_view kJsonMac = ",\"mac\":\"";
constexpr size_t kHexMac = 64;

std::string fhir_prefix() { return ",\"extension\":[{\"url\":\"" + std::string(kChainUrl) + "\",\"valueString\":\""; }

std::optional<uint64_t> parse_seq(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty() || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  return v;
}

std::optional<std::string> parse_mac(std::string_view hex) {
  if (hex.size() != kHexMac) return std::nullopt;
  auto raw = crypto::hex_decode(hex);
  if (!raw) return std::nullopt;
  return *raw;
}

std::optional<Sealed> unseal_json(std::string_view line) {
  constexpr std::string_view kEnd = "\"}";
  if (!line.ends_with(kEnd) || line.size() < kHexMac + kEnd.size() + kJsonMac.size()) return std::nullopt;
  size_t mac_at = line.size() - kEnd.size() - kHexMac;
  if (line.substr(mac_at - kJsonMac.size(), kJsonMac.size()) != kJsonMac) return std::nullopt;
  size_t seq_end = mac_at - kJsonMac.size();
  size_t seq_at = line.rfind(kJsonSeq, seq_end);
  if (seq_at == std::string_view::npos) return std::nullopt;
  auto seq = parse_seq(line.substr(seq_at + kJsonSeq.size(), seq_end - seq_at - kJsonSeq.size()));
  auto mac = parse_mac(line.substr(mac_at, kHexMac));
  if (!seq || !mac) return std::nullopt;
  return Sealed{line.substr(0, seq_at), *seq, std::move(*mac)};
}

std::optional<Sealed> unseal_fhir(std::string_view line) {
  constexpr std::string_view kEnd = "\"}]}";
  static const std::string prefix = fhir_prefix();
  if (!line.ends_with(kEnd)) return std::nullopt;
  size_t at = line.rfind(prefix);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view value = line.substr(at + prefix.size(), line.size() - kEnd.size() - at - prefix.size());
  size_t colon = value.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto seq = parse_seq(value.substr(0, colon));
  auto mac = parse_mac(value.substr(colon + 1));
  if (!seq || !mac) return std::nullopt;
  return Sealed{line.substr(0, at), *seq, std::move(*mac)};
}

}  // namespace

std::string chain_mac(std::string_view key, std::string_view previous_mac, uint64_t seq, std::string_view body) {
  std::string input;
  input.reserve(previous_mac.size() + 21 + body.size());
  input.append(previous_mac).append(std::to_string(seq)).append(1, '\n').append(body);
  return crypto::hmac_sha256(key, input);
}

void seal(std::string& line, std::string_view key, ChainState& state, config::AuditFormat format) {
  uint64_t seq = state.seq + 1;
  std::string mac = chain_mac(key, state.mac, seq, line);
  std::string hex = crypto::hex_encode(mac);
  if (format == config::AuditFormat::Json) {
    line.append(kJsonSeq).append(std::to_string(seq)).append(kJsonMac).append(hex).append("\"}\n");
  } else {
    line.append(fhir_prefix()).append(std::to_string(seq)).append(1, ':').append(hex).append("\"}]}\n");
  }
  state.seq = seq;
  state.mac = std::move(mac);
}

std::optional<Sealed> unseal(std::string_view line) {
  if (auto s = unseal_json(line)) return s;
  return unseal_fhir(line);
}

}  // namespace vigie::audit

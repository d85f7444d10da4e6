#include "jwt/alg.h"

namespace vigie::jwt {

std::optional<Alg> parse_alg(std::string_view text) {
  if (text == "RS256") return Alg::RS256;
  if (text == "PS256") return Alg::PS256;
  if (text == "ES256") return Alg::ES256;
  return std::nullopt;
}

std::string_view name(Alg alg) {
  switch (alg) {
    case Alg::RS256:
      return "RS256";
    case Alg::PS256:
      return "PS256";
    case Alg::ES256:
      return "ES256";
  }
  return "";
}

bool is_rsa(Alg alg) {
  return alg == Alg::RS256 || alg == Alg::PS256;
}

}  // namespace vigie::jwt

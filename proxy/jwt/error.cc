#include "jwt/error.h"

namespace vigie::jwt {

std::string_view code(Error e) {
  switch (e) {
    case Error::Malformed:
      return "jwt_malformed";
    case Error::BadHeader:
      return "jwt_bad_header";
    case Error::BadPayload:
      return "jwt_bad_payload";
    case Error::AlgNone:
      return "jwt_alg_none";
    case Error::AlgNotAllowed:
      return "jwt_alg_not_allowed";
    case Error::ForbiddenHeader:
      return "jwt_forbidden_header";
    case Error::UnknownCrit:
      return "jwt_unknown_crit";
    case Error::BadTyp:
      return "jwt_bad_typ";
    case Error::UnknownKid:
      return "jwt_unknown_kid";
    case Error::BadSignature:
      return "jwt_bad_signature";
    case Error::Expired:
      return "jwt_expired";
    case Error::NotYetValid:
      return "jwt_not_yet_valid";
    case Error::IssuedInFuture:
      return "jwt_issued_in_future";
    case Error::MissingClaim:
      return "jwt_missing_claim";
    case Error::WrongIssuer:
      return "jwt_wrong_issuer";
    case Error::WrongAudience:
      return "jwt_wrong_audience";
    case Error::BadKey:
      return "jwk_bad_key";
    case Error::BadJwks:
      return "jwks_malformed";
  }
  return "jwt_unknown_error";
}

}  // namespace vigie::jwt

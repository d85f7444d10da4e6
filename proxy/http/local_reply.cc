#include "http/local_reply.h"

#include <array>
#include <charconv>

#include "core/strings.h"
#include "observe/access_log.h"

namespace vigie::http {
namespace bhttp = boost::beast::http;
namespace {

constexpr std::array<ReasonInfo, 31> kTable = {{
    {400, "bad_request", "The request is malformed.", "La requête est mal formée."},
    {400, "bad_target", "The request path is invalid.", "Le chemin de la requête est invalide."},
    {400, "bad_host", "The Host header is missing or invalid.", "L'en-tête Host est absent ou invalide."},
    {414, "uri_too_long", "The request line is too long.", "La ligne de requête est trop longue."},
    {431, "headers_too_large", "The request headers are too large.", "Les en-têtes de la requête sont trop grands."},
    {400, "bad_framing", "The request body framing is ambiguous.", "Le découpage du corps de la requête est ambigu."},
    {408, "header_timeout", "The request took too long to arrive.", "La requête a mis trop de temps à arriver."},
    {408, "body_timeout", "The request body took too long to arrive.",
     "Le corps de la requête a mis trop de temps à arriver."},
    {413, "body_too_large", "The request body is too large.", "Le corps de la requête est trop volumineux."},
    {405, "method_not_allowed", "This method is not allowed.", "Cette méthode n'est pas autorisée."},
    {417, "expectation_failed", "The Expect header is not supported.", "L'en-tête Expect n'est pas pris en charge."},
    {404, "no_route", "There is nothing at this address.", "Il n'y a rien à cette adresse."},
    {403, "websocket_not_allowed", "WebSocket connections are not allowed here.",
     "Les connexions WebSocket ne sont pas autorisées ici."},
    {503, "upstream_overflow", "The service is busy. Please try again shortly.",
     "Le service est saturé. Veuillez réessayer dans un instant."},
    {502, "upstream_connect_failed", "The service cannot be reached.", "Le service est injoignable."},
    {504, "upstream_timeout", "The service did not answer in time.", "Le service n'a pas répondu à temps."},
    {502, "upstream_bad_response", "The service sent an invalid answer.", "Le service a envoyé une réponse invalide."},
    {401, "unauthenticated", "You need to sign in to reach this page.", "Vous devez vous connecter pour accéder à cette page."},
    {302, "login_required", "Redirecting to the sign-in page.", "Redirection vers la page de connexion."},
    {401, "invalid_token", "The access token is invalid or expired.", "Le jeton d'accès est invalide ou expiré."},
    {403, "insufficient_scope", "The access token does not grant this access.",
     "Le jeton d'accès n'accorde pas cet accès."},
    {400, "ambiguous_credentials", "Send either a session cookie or a bearer token, not both.",
     "Envoyez soit un cookie de session, soit un jeton, pas les deux."},
    {503, "identity_provider_unavailable", "Sign-in is unavailable right now. Please try again shortly.",
     "La connexion est indisponible pour le moment. Veuillez réessayer dans un instant."},
    {400, "login_state_invalid", "Your sign-in took too long or was started elsewhere. Please start again.",
     "Votre connexion a pris trop de temps ou a été commencée ailleurs. Veuillez recommencer."},
    {401, "login_rejected", "The sign-in did not succeed.", "La connexion n'a pas abouti."},
    {403, "groups_overage",
     "Your account belongs to too many groups for Vigie to read them. Ask your administrator to enable the "
     "Microsoft Graph lookup or to assign application roles.",
     "Votre compte appartient à trop de groupes pour que Vigie puisse les lire. Demandez à votre administrateur "
     "d'activer la consultation Microsoft Graph ou d'attribuer des rôles d'application."},
    {403, "tenant_not_allowed", "Accounts from your organisation are not accepted here.",
     "Les comptes de votre organisation ne sont pas acceptés ici."},
    {400, "bad_redirect", "The return address is not allowed.", "L'adresse de retour n'est pas autorisée."},
    {403, "policy_denied", "You are signed in, but your account is not allowed to open this page.",
     "Vous êtes connecté, mais votre compte n'est pas autorisé à ouvrir cette page."},
    {403, "justification_required",
     "Emergency access to this page needs a justification. Use the emergency access procedure of your "
     "organisation.",
     "L'accès d'urgence à cette page nécessite une justification. Suivez la procédure d'accès d'urgence de "
     "votre établissement."},
    {503, "audit_unavailable",
     "Patient records cannot be opened right now: the log that must record each access is unavailable. "
     "Please try again shortly.",
     "Le dossier patient ne peut pas être ouvert pour le moment : le journal qui doit enregistrer chaque accès "
     "est indisponible. Veuillez réessayer dans un instant."},
}};
static_assert(kTable.size() == static_cast<size_t>(Reason::AuditUnavailable) + 1, "one row per Reason");

double quality(std::string_view params) {
  // params: ";q=0.5" and friends; a missing q means 1.
  size_t q = params.find("q=");
  if (q == std::string_view::npos) return 1.0;
  double v = 0;
  std::string_view s = params.substr(q + 2);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} ? v : 0.0;
}

void html_escape(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

std::string html_body(const ReasonInfo& i, bool fr, std::string_view request_id) {
  std::string out = "<!doctype html><html lang=\"";
  out += fr ? "fr" : "en";
  out += "\"><head><meta charset=\"utf-8\"><title>" + std::to_string(i.status) +
         "</title><style>body{font-family:sans-serif;max-width:40em;margin:4em auto;color:#222}"
         "code{color:#555}</style></head><body><h1>";
  html_escape(out, fr ? i.fr : i.en);
  out += "</h1><p>";
  out += fr ? "Référence de la requête" : "Request reference";
  out += " : <code>";
  html_escape(out, request_id);
  out += "</code></p></body></html>\n";
  return out;
}

std::string json_body(const ReasonInfo& i, bool fr, std::string_view request_id) {
  std::string out = "{\"error\":\"";
  out += i.code;
  out += "\",\"message\":\"";
  observe::json_escape(out, fr ? i.fr : i.en);
  out += "\",\"request_id\":\"";
  observe::json_escape(out, request_id);
  out += "\"}\n";
  return out;
}

}  // namespace

Reason reason_for(authn::Failure f) {
  using authn::Failure;
  switch (f) {
    case Failure::Unauthenticated: return Reason::Unauthenticated;
    case Failure::LoginRedirect: return Reason::LoginRedirect;
    case Failure::InvalidToken: return Reason::InvalidToken;
    case Failure::InsufficientScope: return Reason::InsufficientScope;
    case Failure::AmbiguousCredentials: return Reason::AmbiguousCredentials;
    case Failure::ProviderUnavailable: return Reason::IdentityUnavailable;
    case Failure::LoginStateInvalid: return Reason::LoginStateInvalid;
    case Failure::LoginRejected: return Reason::LoginRejected;
    case Failure::GroupsOverage: return Reason::GroupsOverage;
    case Failure::TenantNotAllowed: return Reason::TenantNotAllowed;
    case Failure::BadRedirect: return Reason::BadRedirect;
    case Failure::NotFound: return Reason::NoRoute;
    case Failure::BadOriginalRequest: return Reason::BadTarget;
    case Failure::BadLogoutToken: return Reason::BadRequest;
    case Failure::PolicyDenied: return Reason::PolicyDenied;
    case Failure::AuditUnavailable: return Reason::AuditUnavailable;
  }
  return Reason::Unauthenticated;
}

const ReasonInfo& info(Reason r) { return kTable[static_cast<size_t>(r)]; }

ClientPrefs client_prefs(std::string_view accept, std::string_view accept_language) {
  ClientPrefs p;
  for (std::string_view media : core::split_list(accept)) {
    if (core::starts_with_icase(media, "text/html")) p.html = true;
  }
  double fr = 0, en = 0;
  for (std::string_view lang : core::split_list(accept_language)) {
    size_t semi = lang.find(';');
    std::string_view tag = core::trim(lang.substr(0, semi));
    double q = semi == std::string_view::npos ? 1.0 : quality(lang.substr(semi));
    if (core::starts_with_icase(tag, "fr")) fr = std::max(fr, q);
    else if (core::starts_with_icase(tag, "en")) en = std::max(en, q);
  }
  p.french = fr > en;
  return p;
}

bhttp::response<bhttp::string_body> render(Reason r, const ClientPrefs& prefs, std::string_view request_id,
                                           unsigned version, bool keep_alive) {
  const ReasonInfo& i = info(r);
  bhttp::response<bhttp::string_body> res(static_cast<bhttp::status>(i.status), version < 10 ? 11 : version);
  res.set(bhttp::field::server, "vigie");
  res.set(bhttp::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  if (!request_id.empty()) res.set("X-Request-Id", request_id);
  if (r == Reason::MethodNotAllowed) res.set(bhttp::field::allow, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  if (prefs.html) {
    res.set(bhttp::field::content_type, "text/html; charset=utf-8");
    res.set(bhttp::field::content_language, prefs.french ? "fr" : "en");
    res.body() = html_body(i, prefs.french, request_id);
  } else {
    res.set(bhttp::field::content_type, "application/json");
    res.body() = json_body(i, prefs.french, request_id);
  }
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace vigie::http

#include "audit/record.h"

namespace vigie::audit {

std::string_view name(Action a) {
  switch (a) {
    case Action::Read: return "read";
    case Action::Search: return "search";
    case Action::Create: return "create";
    case Action::Update: return "update";
    case Action::Delete: return "delete";
  }
  return "read";
}

std::string_view name(Outcome o) {
  switch (o) {
    case Outcome::Allowed: return "allowed";
    case Outcome::BreakGlass: return "break_glass";
    case Outcome::Denied: return "denied";
    case Outcome::Unauthenticated: return "unauthenticated";
    case Outcome::Refused: return "refused";
    case Outcome::Failed: return "failed";
  }
  return "failed";
}

}  // namespace vigie::audit

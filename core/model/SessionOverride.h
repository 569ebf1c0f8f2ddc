#pragma once

#include "core/model/Session.h"

#include <string_view>

namespace lathe::core {

// a stem id or an index; in other arrays an index. The value is parsed by the current value's type (number;
// bool as true/false/1/0/on/off/yes/no; string as the raw text; a list or a group of settings as JSON of the
// same kind, replacing it whole: stems.lead_vocal.automation.gain_db=[[28,0],[28.2,1.5]]). The result is
// checked with sessionFromJson and assigned only if valid. Throws Error("--set", ...) naming the path on an
// unknown key (with the valid keys at that level), a value of the wrong type, or an out-of-range result.
void applyOverride(Session& session, std::string_view assignment);

// Checks an assignment against the session format alone, before any session is open (the CLI's --set, at
// parse time): the key path names a value (any stem id or list index stands for an entry), the value has
// that key's type (a finite decimal number for a number) and lies in its range. Throws what applyOverride
// would for those; what only a session can tell (a stem or an EQ band it lacks) is left to applyOverride.
void checkOverride(std::string_view assignment);

} // namespace lathe::core

#pragma once

#include "Session.h"

#include <string>

namespace lathe::core {

// What `render`, `play` and `batch` accept as input: a client folder (scanned, given the default session) or
// a saved .lathe session. Throws Error naming the file when the folder has files that cannot be used (a
// corrupt or truncated WAV is never silently left out of a master) or the session is invalid.
Session openSessionOrFolder(const std::string& input);

// Refuses to write into the client's folder (or below it): the client's delivery stays exactly as sent.
// Throws Error naming outPath.
void ensureOutsideClientFolder(const Session& session, const std::string& outPath);

} // namespace lathe::core

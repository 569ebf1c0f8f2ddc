#pragma once

#include "core/io/OutputGuard.h"
#include "core/model/Session.h"

#include <string>

namespace lathe::core {

// What `render`, `play` and `batch` accept as input: a client folder (scanned, given the default session) or
// a saved .lathe session. Throws Error naming the file when the folder has files that cannot be used (a
// corrupt or truncated WAV is never silently left out of a master) or the session is invalid.
Session openSessionOrFolder(const std::string& input);

// What a session's writers must leave alone: its client folder (when it names one) and every source it reads
// (mix, reference, stems; relative paths taken from the folder).
void addSessionSources(ProtectedSources& sources, const Session& session);

// The same for an input of render, batch or play as the user gave it: a client folder is protected whole; a
// session file is protected itself, with what addSessionSources adds when it loads (a session that does not
// load protects only itself: its own job will fail with the reason).
void addInputSources(ProtectedSources& sources, const std::string& input);

} // namespace lathe::core

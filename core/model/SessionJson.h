#pragma once

#include "core/model/Session.h"

#include <nlohmann/json.hpp>

#include <string>

namespace lathe::core {

// The .lathe file: the session as JSON, read and written (SessionJson.cpp), and as a file (SessionFile.cpp).

nlohmann::json toJson(const Session& session);

// Reads and checks a session. Missing keys take their defaults; unknown keys, wrong types and out-of-range
// values throw Error(sourceName, "<key path>: <problem>") with the key path in --set syntax
// ("master.limiter.ceiling_dbtp: expected a number, found a string"). A newer format version is refused.
// Paths are returned as written (not resolved).
Session sessionFromJson(const nlohmann::json& json, const std::string& sourceName);
// checkStemReferences = false leaves out what only the whole session can tell (that a sidechain key names
// one of its stems): for checking one --set assignment against the format alone.
Session sessionFromJson(const nlohmann::json& json, const std::string& sourceName, bool checkStemReferences);

// Pretty JSON written atomically. folder is stored relative to the session file's directory, and
// stem/mix/reference paths relative to folder, when they lie inside it (so a project holding the client
// folder and its session can be moved); otherwise absolute. A relative folder in memory is taken from the
// current directory; relative stem paths from folder.
void saveSession(const Session& session, const std::string& path);

// Reads, parses and checks a session file; throws Error naming the file. Returns absolute paths: folder is
// resolved against the session file's directory, stem/mix/reference paths against folder.
Session loadSession(const std::string& path);

} // namespace lathe::core

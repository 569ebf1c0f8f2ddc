#pragma once

#include "dsp/MatchAnalysis.h"

#include <cstdint>
#include <optional>
#include <string>

namespace lathe::core {

// Match analyses kept on disk by what they were made from, so opening a session again (or rendering it after
// the engine played it) does not read and analyse the files again. A key is a 64-bit hash of the inputs'
// bytes plus the settings that change the result; a cached analysis whose format number differs from
// dsp::MatchAnalysis::kCurrentFormat is ignored. The cache is a help, never a requirement: a folder that
// cannot be read or written makes every lookup a miss, never an error.

// A hash of the file's whole content (not its name or time stamp: a file copied or touched is the same
// audio). Not RT safe (reads the file). Throws Error naming the file when it cannot be read.
uint64_t fileContentHash(const std::string& path);
// Mixes `value` into `hash` (for keys built from several inputs). RT safe.
uint64_t hashCombine(uint64_t hash, uint64_t value);
uint64_t hashText(const std::string& text);

// $XDG_CACHE_HOME/lathe/match, else $HOME/.cache/lathe/match; "" when neither is set.
std::string matchCacheDirectory();

std::optional<dsp::MatchAnalysis> loadCachedAnalysis(uint64_t key);
// Written under a temporary name and renamed. Failures are ignored (see above).
void storeCachedAnalysis(uint64_t key, const dsp::MatchAnalysis& analysis);

} // namespace lathe::core

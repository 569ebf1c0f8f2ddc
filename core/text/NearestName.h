#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lathe::core {

// " (did you mean "gain_db"?)" when one of `candidates` is a likely typo of `word` (the nearest by edit
// distance, at most 2 edits or a third of the word), else "". For messages that refuse an unknown name: a
// session key, a stem id, a lathe-cli command.
std::string didYouMean(std::string_view word, const std::vector<std::string>& candidates);

// "a, b, c"
std::string joinNames(const std::vector<std::string>& names);

} // namespace lathe::core

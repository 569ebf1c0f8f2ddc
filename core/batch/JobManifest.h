#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lathe::core {

// A batch manifest lists the inputs of a batch, one per line: a client folder or a .lathe session. A UTF-8
// byte order mark at the start is dropped; UTF-16 text is refused, naming the manifest. Lines are trimmed;
// blank lines and lines starting with '#' are ignored (a '#' later in a line is part of the path, since
// folder names may contain it). A relative path is taken from the manifest's own folder, so a manifest can
// travel with the catalogue it describes. Throws Error naming the manifest when it cannot be read, and naming
// "<manifest>:<line>" for a line that is not valid UTF-8 text or holds a NUL.
std::vector<std::string> readJobManifest(const std::string& manifestPath);

// Parses the same text (for tests and for the GUI's paste box); baseDir resolves relative paths.
std::vector<std::string> parseJobManifest(std::string_view text, const std::string& baseDir,
                                          const std::string& sourceName);

// "--shard K/N": this machine takes the jobs whose position i (0-based, in the batch's sorted job list) has
// i % N == K - 1. Every machine sorts the same way, so N machines given 1/N .. N/N cover every job exactly
// once without talking to each other.
struct Shard {
    int index = 1; // K, 1-based
    int count = 1; // N
    bool contains(size_t position) const { return static_cast<int>(position % count) == index - 1; }
};

// Parses "K/N" with 1 <= K <= N <= 100000; throws Error("--shard", ...) saying what is wrong.
Shard parseShard(std::string_view text);

} // namespace lathe::core

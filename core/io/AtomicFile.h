#pragma once

#include <string>
#include <string_view>

namespace lathe::core {

// Replaces path's contents all at once: writes a temp file in the same directory, fsyncs it, renames it over
// path and fsyncs the directory. Readers see the old contents or the new, never a mix; on failure the old
// file is untouched. Throws Error naming path.
void writeFileAtomically(const std::string& path, std::string_view contents);

// Removes the hidden temporaries a killed Lathe left in dir (isStaleTemporary), regular files only, never
// those of a process still running or of this one. Returns how many were removed. `render` and `batch` call
// it on the folder they write to.
int removeStaleTemporaries(const std::string& dir);

// Whether filename is exactly one of Lathe's temporary names, ".lathe-<pid>-<counter>.partial" (or an older
// Lathe's ".<name>.partial-<pid>-<counter>"), made by a process that is no longer running.
bool isStaleTemporary(const std::string& filename);

namespace detail {
// A unique temporary name in finalPath's directory: "<dir>/.lathe-<pid>-<counter>.partial". Short whatever
// the final name, so a final name as long as the file system allows still has room for its temporary. Shared
// with AudioFileWriter so every Lathe output is written the same way.
std::string temporaryPathBeside(const std::string& finalPath);
// fsync the directory holding path so a rename survives a power cut. Best effort: returns false on failure.
bool syncParentDirectory(const std::string& path);
} // namespace detail

} // namespace lathe::core

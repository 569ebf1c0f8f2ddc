#pragma once

#include <string>
#include <string_view>

namespace lathe::core {

// Replaces path's contents all at once: writes a temp file in the same directory, fsyncs it, renames it over
// path and fsyncs the directory. Readers see the old contents or the new, never a mix; on failure the old
// file is untouched. Throws Error naming path.
void writeFileAtomically(const std::string& path, std::string_view contents);

namespace detail {
// A unique temporary name in finalPath's directory: "<dir>/.<name>.partial-<pid>-<counter>". Shared with
// AudioFileWriter so every Lathe output is written the same way.
std::string temporaryPathBeside(const std::string& finalPath);
// fsync the directory holding path so a rename survives a power cut. Best effort: returns false on failure.
bool syncParentDirectory(const std::string& path);
} // namespace detail

} // namespace lathe::core

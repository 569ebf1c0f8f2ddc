#include "core/model/SessionSource.h"

#include "core/Error.h"
#include "core/io/ClientFolder.h"
#include "core/model/SessionDefaults.h"
#include "core/model/SessionJson.h"
#include "core/render/RenderRefusal.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace lathe::core {

Session openSessionOrFolder(const std::string& input) {
    std::error_code ec;
    const fs::file_status status = fs::status(input, ec);
    if (ec || !fs::exists(status)) throw Error(input, "no such file or folder");
    if (fs::is_regular_file(status)) return loadSession(input);
    const FolderScan scan = scanClientFolder(input);
    refuseUnusableFiles(scan);
    if (!scan.mix && scan.stems.empty())
        throw Error(scan.folder, "no audio found (no stereo mix and no stems): nothing to master");
    return makeDefaultSession(scan);
}

void addSessionSources(ProtectedSources& sources, const Session& session) {
    if (!session.folder.empty()) sources.folders.push_back(session.folder);
    const fs::path base = session.folder.empty() ? fs::path() : fs::path(session.folder);
    const auto addFile = [&](const std::string& path) {
        if (!path.empty())
            sources.files.push_back(fs::path(path).is_absolute() ? path : (base / path).string());
    };
    addFile(session.mix);
    addFile(session.reference);
    addFile(session.master.match.reference);
    for (const auto& stem : session.stems)
        addFile(stem.path);
}

void addInputSources(ProtectedSources& sources, const std::string& input) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
        sources.folders.push_back(input);
        return;
    }
    sources.files.push_back(input);
    try {
        addSessionSources(sources, loadSession(input));
    } catch (const std::exception&) {
        // Not a session Lathe can read: nothing it names can be written to by it either.
    }
}

} // namespace lathe::core

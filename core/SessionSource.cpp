#include "SessionSource.h"

#include "ClientFolder.h"
#include "Error.h"
#include "RenderRefusal.h"

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

void ensureOutsideClientFolder(const Session& session, const std::string& outPath) {
    if (session.folder.empty()) return;
    std::error_code ec;
    const fs::path folder = fs::weakly_canonical(session.folder, ec);
    const fs::path out = fs::weakly_canonical(fs::absolute(outPath), ec);
    auto f = folder.begin();
    auto o = out.begin();
    for (; f != folder.end() && o != out.end(); ++f, ++o)
        if (*f != *o) return;
    if (f == folder.end() || (f != folder.end() && f->empty()))
        throw Error(outPath, "is inside the client folder " + session.folder +
                                 "; Lathe never writes there. Choose an output folder elsewhere");
}

} // namespace lathe::core

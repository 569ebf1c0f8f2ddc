#include "core/render/MatchRender.h"

#include "core/Error.h"
#include "core/analysis/MatchSession.h"
#include "core/io/AtomicFile.h"
#include "core/io/AudioFileReader.h"
#include "core/io/OutputGuard.h"
#include "core/render/MatchReporting.h"

#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lathe::core {

Session matchFileSession(const std::string& source, const std::string& reference,
                         const MatchFileOptions& options) {
    const AudioFileInfo info = probeAudioFile(source);
    Session s;
    s.song = "matched";
    s.sample_rate = info.sampleRate;
    s.mix = source;
    s.reference = reference;
    s.master.limiter.ceiling_dbtp = options.ceilingDbtp;
    s.master.match = options.match;
    s.master.match.enabled = true;
    s.master.match.reference = reference;
    // Without the loudness part the master keeps the source's loudness: no gain, the limiter only holds
    // the ceiling.
    s.loudness.normalize = options.match.loudness;
    s.output.mode = "stereo";
    s.output.bit_depth = options.bitDepth;
    s.output.mp3 = false;
    return s;
}

MatchFileResult matchFile(const std::string& source, const std::string& reference,
                          const MatchFileOptions& options, const std::string& outPath,
                          const RenderControl& control) {
    const Session session = matchFileSession(source, reference, options);
    MatchFileResult out;
    if (!outPath.empty()) {
        WritePlan plan;
        plan.outputs.push_back(outPath);
        plan.sources.files = {source, reference};
        checkWritePlan(plan);
    }
    const MasterMatch match = planMasterMatch(session, false);
    const Session matched = withMatchedLoudness(session);
    out.match = describeMatch(session.master.match, match,
                              matched.loudness.normalize ? matched.loudness.target_lufs
                                                         : match.source.integratedLufs);
    if (outPath.empty()) return out;

    // The render writes <song>_stereo_master.wav (itself under a temporary name) into a private folder
    // beside OUT, on the same file system, so the final rename is atomic.
    const fs::path target = fs::absolute(outPath);
    const fs::path work = target.parent_path() / (".lathe-match-" + std::to_string(::getpid()) + ".tmp");
    std::error_code ec;
    fs::remove_all(work, ec);
    try {
        RenderReport report = renderSession(session, work.string(), control);
        if (report.deliverables.empty()) throw Error(source, "nothing was rendered");
        out.result = report.deliverables.front();
        fs::rename(out.result.wavPath, target, ec);
        if (ec) throw Error(outPath, "cannot move the matched master into place: " + ec.message());
        // As every Lathe output (AtomicFile): the rename itself survives a power cut.
        detail::syncParentDirectory(target.string());
        out.result.wavPath = target.string();
        out.result.kind = "matched";
        out.written = true;
    } catch (...) {
        fs::remove_all(work, ec);
        throw;
    }
    fs::remove_all(work, ec);
    return out;
}

} // namespace lathe::core

#include "core/batch/BatchRunner.h"

#include "core/Error.h"
#include "core/io/AudioFileReader.h"
#include "core/io/AudioFileWriter.h"
#include "core/model/SessionJson.h"
#include "core/render/DeliverablePlan.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>

namespace lathe::core {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One listed file: exists, opens, and its rate and length are what report.json says.
std::string checkAudioFile(const std::string& path, int sampleRate, double durationSeconds, bool isWav,
                           int bitDepth, int mp3BitrateKbps = 0) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return path + ": missing";
    try {
        AudioFileReader reader(path);
        const AudioFileInfo& info = reader.info();
        if (info.sampleRate != sampleRate)
            return path + ": " + std::to_string(info.sampleRate) + " Hz, report.json says " +
                   std::to_string(sampleRate) + " Hz";
        const double seconds = info.durationSeconds();
        // report.json rounds durations to 1 ms; an MP3 decodes with up to ~50 ms of encoder delay/padding.
        const double tolerance = isWav ? 0.0015 : 0.1;
        if (std::abs(seconds - durationSeconds) > tolerance)
            return path + ": " + std::to_string(seconds) + " s long, report.json says " +
                   std::to_string(durationSeconds) + " s";
        if (isWav) {
            const int bytesPerSample = bitDepth == 32 ? 4 : bitDepth / 8;
            const auto dataBytes = static_cast<uintmax_t>(info.frames) * info.channels * bytesPerSample;
            const uintmax_t size = fs::file_size(path, ec);
            // A WAV is a small header (44 bytes here; a few chunks at most) plus exactly the sample data.
            if (ec || size < dataBytes + 44 || size > dataBytes + 65536)
                return path + ": " + std::to_string(size) + " bytes, expected " + std::to_string(dataBytes) +
                       " bytes of audio plus a header";
            if (info.bitDepth != bitDepth)
                return path + ": " + std::to_string(info.bitDepth) + "-bit, report.json says " +
                       std::to_string(bitDepth) + "-bit";
        } else {
            // An MP3's length comes from its Xing header, which a cut-short file keeps: check the bytes are
            // there too. CBR: bitrate / 8 bytes per second; 3% covers the header and the last frame.
            const double expected = durationSeconds * mp3BitrateKbps * 1000.0 / 8.0;
            const uintmax_t size = fs::file_size(path, ec);
            if (ec || static_cast<double>(size) < 0.97 * expected)
                return path + ": " + std::to_string(size) + " bytes, a " + std::to_string(mp3BitrateKbps) +
                       " kbps MP3 of this length has about " +
                       std::to_string(static_cast<long long>(expected));
        }
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

} // namespace

json batchMarker(const std::string& input, const Session& session) {
    return json{{"input", input}, {"session", toJson(session)}};
}

std::string checkDeliverables(const Session& session, const json& marker, const std::string& jobOutDir,
                              RenderReport* reportOut) {
    const fs::path dir(jobOutDir);
    const auto readJson = [](const fs::path& path, json& out) -> std::string {
        std::ifstream in(path, std::ios::binary);
        if (!in) return path.string() + ": missing";
        try {
            out = json::parse(in);
        } catch (const std::exception&) {
            return path.string() + ": not valid JSON";
        }
        return {};
    };
    json storedMarker;
    if (auto problem = readJson(dir / kBatchMarkerName, storedMarker); !problem.empty())
        return problem + " (the render did not finish)";
    if (storedMarker != marker) return "the settings or input differ from the last render";

    RenderReport report;
    try {
        report = readRenderReport(jobOutDir);
    } catch (const Error& e) {
        return e.what();
    }

    RenderPlan plan;
    try {
        plan = planRender(session);
    } catch (const std::exception& e) {
        return e.what();
    }
    std::vector<std::string> expectedKinds;
    if (plan.stereo) expectedKinds.push_back("stereo_master");
    if (plan.stem) expectedKinds.push_back("stem_master");
    std::vector<std::string> kinds;
    for (const auto& d : report.deliverables)
        kinds.push_back(d.kind);
    if (kinds != expectedKinds) return (dir / "report.json").string() + ": lists other deliverables";

    // A deliverable set: every planned file is there; PCM files and MP3s open at their rate and length
    // (the AAC, Opus and Vorbis files were decoded by the codec check of the render that wrote them).
    if (!session.output.deliverables.empty()) {
        for (const auto& d : report.deliverables)
            for (const RenderVariant& v : planVariants(session, d.kind, jobOutDir))
                for (const auto* files : {&v.pcm, &v.lossy})
                    for (const PlannedFile& f : *files) {
                        const bool pcm = files == &v.pcm;
                        std::error_code ec;
                        if (!fs::is_regular_file(f.path, ec) || fs::file_size(f.path, ec) == 0)
                            return f.path + ": missing";
                        if (pcm || f.spec.format == "mp3")
                            if (auto p = checkAudioFile(f.path, v.sampleRate, d.durationSeconds,
                                                        pcm && f.spec.format == "wav", v.bitDepth,
                                                        f.spec.format == "mp3" ? f.spec.kbps : 0);
                                !p.empty())
                                return p;
                    }
        if (reportOut) *reportOut = std::move(report);
        return {};
    }
    const int rate = session.output.sample_rate > 0 ? session.output.sample_rate : session.sample_rate;
    const bool wantMp3 = session.output.mp3 && mp3CarriesSampleRate(rate);
    for (const auto& d : report.deliverables) {
        if (d.sampleRate != rate) return d.wavPath + ": rendered at another rate";
        if (auto p = checkAudioFile(d.wavPath, d.sampleRate, d.durationSeconds, true, d.bitDepth); !p.empty())
            return p;
        if (wantMp3 != !d.mp3Path.empty()) return (dir / "report.json").string() + ": MP3 setting differs";
        if (wantMp3)
            if (auto p = checkAudioFile(d.mp3Path, d.sampleRate, d.durationSeconds, false, 0,
                                        session.output.mp3_bitrate_kbps);
                !p.empty())
                return p;
    }
    if (reportOut) *reportOut = std::move(report);
    return {};
}

} // namespace lathe::core

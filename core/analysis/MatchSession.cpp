#include "core/analysis/MatchSession.h"

#include "core/Error.h"
#include "core/analysis/MatchCache.h"
#include "core/chain/ChainPolicy.h"
#include "core/chain/StemChain.h"
#include "core/chain/StereoBlock.h"
#include "core/io/SourceStream.h"
#include "core/model/SessionJson.h"

#include "dsp/FirDesign.h"
#include "dsp/MatchAnalyzer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

namespace lathe::core {

namespace {

constexpr int kBlock = 8192;

uint64_t hashDouble(uint64_t h, double v) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    return hashCombine(h, bits);
}

// Looks `key` up, else analyses with `run` and stores the result.
template <typename Run>
dsp::MatchAnalysis cached(uint64_t key, Run run) {
    key = hashCombine(key, static_cast<uint64_t>(dsp::MatchAnalysis::kCurrentFormat));
    if (auto hit = loadCachedAnalysis(key)) return *hit;
    dsp::MatchAnalysis a = run();
    storeCachedAnalysis(key, a);
    return a;
}

} // namespace

std::string matchReferencePath(const Session& s) {
    return s.master.match.reference.empty() ? s.reference : s.master.match.reference;
}

bool matchActive(const Session& s) {
    return s.master.match.enabled && !matchReferencePath(s).empty();
}

dsp::MatchAnalysis analyzeFileForMatch(const std::string& path, int rate, double startSeconds,
                                       double endSeconds) {
    uint64_t key = hashCombine(fileContentHash(path), static_cast<uint64_t>(rate));
    key = hashDouble(hashDouble(key, startSeconds), endSeconds);
    return cached(key, [&] {
        SourceStream stream(path, rate);
        const int64_t length = stream.lengthFrames();
        const auto start = static_cast<int64_t>(std::llround(startSeconds * rate));
        const int64_t end =
            endSeconds > 0 ? std::min(length, static_cast<int64_t>(std::llround(endSeconds * rate))) : length;
        if (length > 0 && start >= length)
            throw Error(path, "the match range starts at " + std::to_string(startSeconds) +
                                  " s, after the file's end (" +
                                  std::to_string(static_cast<double>(length) / rate) + " s)");
        dsp::MatchAnalyzer analyzer;
        analyzer.prepare(rate, kBlock);
        std::vector<float> l(kBlock), r(kBlock);
        for (int64_t pos = 0; pos < end;) {
            const int n = static_cast<int>(std::min<int64_t>(kBlock, end - pos));
            stream.read(l.data(), r.data(), n);
            const int64_t from = std::max<int64_t>(start - pos, 0);
            if (from < n) analyzer.process(l.data() + from, r.data() + from, n - static_cast<int>(from));
            pos += n;
        }
        return analyzer.finish();
    });
}

dsp::MatchAnalysis analyzeMatchReference(const Session& s) {
    const std::string path = matchReferencePath(s);
    if (path.empty()) throw Error(s.folder, "matching needs a reference: set master.match.reference");
    return analyzeFileForMatch(path, s.sample_rate, s.master.match.range_start_s, s.master.match.range_end_s);
}

dsp::MatchAnalysis analyzeMasterInput(const Session& s, bool stemMaster) {
    if (!stemMaster) return analyzeFileForMatch(s.mix, s.sample_rate);
    // The stems' sum as the stem master receives it: each audible stem through its chain.
    const std::vector<char> audible = stemAudibility(s);
    const nlohmann::json stemsJson = toJson(s)["stems"];
    uint64_t key = hashCombine(hashText("stem sum"), static_cast<uint64_t>(s.sample_rate));
    for (std::size_t i = 0; i < s.stems.size(); ++i) {
        if (!audible[i]) continue;
        key = hashCombine(key, fileContentHash(s.stems[i].path));
        key = hashCombine(key, hashText(stemsJson[i].dump()));
    }
    return cached(key, [&] {
        std::vector<std::unique_ptr<SourceStream>> streams;
        std::vector<std::unique_ptr<StemChain>> chains;
        int64_t length = 0;
        for (std::size_t i = 0; i < s.stems.size(); ++i) {
            if (!audible[i]) continue;
            streams.push_back(std::make_unique<SourceStream>(s.stems[i].path, s.sample_rate));
            length = std::max(length, streams.back()->lengthFrames());
            auto chain = std::make_unique<StemChain>();
            chain->prepare(s.sample_rate, kBlock);
            chain->configure(s.stems[i], true);
            chain->reset();
            chains.push_back(std::move(chain));
        }
        dsp::MatchAnalyzer analyzer;
        analyzer.prepare(s.sample_rate, kBlock);
        std::vector<float> l(kBlock), r(kBlock), sumL(kBlock), sumR(kBlock);
        for (int64_t pos = 0; pos < length; pos += kBlock) {
            const int n = static_cast<int>(std::min<int64_t>(kBlock, length - pos));
            std::fill_n(sumL.begin(), n, 0.0f);
            std::fill_n(sumR.begin(), n, 0.0f);
            for (std::size_t i = 0; i < streams.size(); ++i) {
                streams[i]->read(l.data(), r.data(), n);
                chains[i]->process(stereoBlock(l.data(), r.data(), n));
                for (int k = 0; k < n; ++k) {
                    sumL[static_cast<std::size_t>(k)] += l[static_cast<std::size_t>(k)];
                    sumR[static_cast<std::size_t>(k)] += r[static_cast<std::size_t>(k)];
                }
            }
            analyzer.process(sumL.data(), sumR.data(), n);
        }
        return analyzer.finish();
    });
}

dsp::MatchCurveSettings matchCurveSettings(const MatchSettings& m) {
    dsp::MatchCurveSettings c;
    c.toneAmount = m.tone ? std::clamp(m.tone_amount_pct / 100.0, 0.0, 1.0) : 0.0;
    c.maxCorrectionDb = m.max_correction_db;
    c.widthAmount = m.width ? 1.0 : 0.0;
    return c;
}

MasterMatch planMasterMatch(const Session& s, bool stemMaster) {
    MasterMatch plan;
    if (!matchActive(s)) return plan;
    plan.active = true;
    plan.referencePath = matchReferencePath(s);
    plan.reference = analyzeMatchReference(s);
    plan.source = analyzeMasterInput(s, stemMaster);
    plan.curve = dsp::computeMatchCurve(plan.source, plan.reference, matchCurveSettings(s.master.match));
    return plan;
}

dsp::MatchFirs matchFirs(const MasterMatch& plan, double sampleRate) {
    if (plan.active) return dsp::designMatchFirs(plan.curve, sampleRate, dsp::FirPhase::Linear);
    // A flat curve designs to a centred unit impulse: the same delay as an active stage.
    return dsp::designMatchFirs(dsp::MatchCurve{}, sampleRate, dsp::FirPhase::Linear);
}

Session withMatchedLoudness(const Session& s) {
    if (!matchActive(s) || !s.master.match.loudness) return s;
    const dsp::MatchAnalysis reference = analyzeMatchReference(s);
    if (!reference.hasLoudAudio() || !(reference.integratedLufs > -70.0)) return s;
    Session matched = s;
    // The session's own range for a target (a reference quieter than -40 LUFS is not a master).
    matched.loudness.target_lufs = std::clamp(reference.integratedLufs, -40.0, 0.0);
    matched.loudness.normalize = true;
    return matched;
}

} // namespace lathe::core

#include "core/analysis/FixVerification.h"

#include "core/analysis/ElementAnalysis.h"
#include "core/chain/ChainPolicy.h"
#include "core/chain/StemChain.h"
#include "core/chain/StereoBlock.h"
#include "core/model/SessionDefaults.h"
#include "core/text/FormatText.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

namespace lathe::core {

namespace {

constexpr int kBlock = 512;

// Each stem through its chain, all delayed to the largest latency and that delay dropped, so the outputs line
// up with the sources (and the mix's sections) frame for frame, as the render's sum does.
std::vector<LoadedAudio> processStems(const Session& session,
                                      const std::vector<const LoadedAudio*>& sources) {
    const std::vector<int> keySources = stemKeySources(session);
    std::vector<std::unique_ptr<StemChain>> chains;
    std::vector<StemChain*> pointers;
    for (std::size_t i = 0; i < session.stems.size(); ++i) {
        chains.push_back(std::make_unique<StemChain>());
        chains.back()->prepare(session.sample_rate, kBlock, session.stems[i]);
        chains.back()->configure(session.stems[i], true);
        chains.back()->reset();
        pointers.push_back(chains.back().get());
    }
    const int latency = alignStemLatencies(pointers);
    std::vector<LoadedAudio> out(session.stems.size());
    std::vector<float> l(kBlock), r(kBlock), kl(kBlock), kr(kBlock);
    for (std::size_t i = 0; i < session.stems.size(); ++i) {
        if (!sources[i]) continue;
        const LoadedAudio& source = *sources[i];
        const int keyIndex = keySources[i];
        const LoadedAudio* key =
            keyIndex >= 0 && chains[i]->keyed() ? sources[static_cast<std::size_t>(keyIndex)] : nullptr;
        const std::vector<float> inL = source.channel(0), inR = source.channel(1);
        std::vector<float> keyL, keyR;
        if (key) keyL = key->channel(0), keyR = key->channel(1);
        const int64_t frames = source.frames();
        out[i].info = source.info;
        out[i].info.channels = 2;
        out[i].channels.assign(2, std::vector<float>(static_cast<std::size_t>(frames), 0.0f));
        for (int64_t pos = 0; pos < frames + latency; pos += kBlock) {
            const int n = static_cast<int>(std::min<int64_t>(kBlock, frames + latency - pos));
            const auto at = [&](const std::vector<float>& x, int64_t j) {
                return j < static_cast<int64_t>(x.size()) ? x[static_cast<std::size_t>(j)] : 0.0f;
            };
            for (int k = 0; k < n; ++k) {
                l[static_cast<std::size_t>(k)] = at(inL, pos + k);
                r[static_cast<std::size_t>(k)] = at(inR, pos + k);
                if (key) {
                    kl[static_cast<std::size_t>(k)] = at(keyL, pos + k);
                    kr[static_cast<std::size_t>(k)] = at(keyR, pos + k);
                }
            }
            const auto keyBlock = stereoBlock(kl.data(), kr.data(), n);
            chains[i]->process(stereoBlock(l.data(), r.data(), n), pos, key ? &keyBlock : nullptr);
            for (int k = 0; k < n; ++k) {
                const int64_t j = pos + k - latency;
                if (j < 0 || j >= frames) continue;
                out[i].channels[0][static_cast<std::size_t>(j)] = l[static_cast<std::size_t>(k)];
                out[i].channels[1][static_cast<std::size_t>(j)] = r[static_cast<std::size_t>(k)];
            }
        }
    }
    return out;
}

const SectionVocalBalance* sectionAt(const ElementAnalysis& e, double startSeconds) {
    const SectionVocalBalance* best = nullptr;
    for (const auto& b : e.vocalBalance)
        if (b.vocalPresent && (!best || std::abs(b.section.startSeconds - startSeconds) <
                                            std::abs(best->section.startSeconds - startSeconds)))
            best = &b;
    return best;
}

std::optional<double> noteOver(const ElementAnalysis& e, double timeSeconds) {
    const BassNoteJump* best = nullptr;
    for (const auto& n : e.bassNoteLine)
        if (!best || std::abs(n.timeSeconds - timeSeconds) < std::abs(best->timeSeconds - timeSeconds))
            best = &n;
    if (!best || std::abs(best->timeSeconds - timeSeconds) > 0.1) return std::nullopt;
    return best->overNeighboursDb;
}

// The widest of the fixed stem's sections within the fix's time range: its side over mid.
std::optional<double> sideOverMid(const ElementAnalysis& e, const SessionFix& fix) {
    const auto name = [](const std::string& path) { return path.substr(path.find_last_of('/') + 1); };
    std::optional<double> widest;
    for (const auto& stem : e.stems) {
        if (fix.file.empty() ? stemRoleName(stem.role) != fix.stemId : name(stem.path) != name(fix.file))
            continue;
        for (std::size_t j = 0; j < e.sections.size() && j < stem.sectionWidths.size(); ++j)
            if (e.sections[j].startSeconds >= fix.startSeconds - 0.05 &&
                e.sections[j].endSeconds <= fix.endSeconds + 0.05)
                widest = std::max(widest.value_or(-200.0), stem.sectionWidths[j].sideOverMidDb);
    }
    return widest;
}

// The finding's figure before and after, and the way the fix should move it (+1 up, -1 down).
VerifiedFix measure(const SessionFix& fix, const ElementAnalysis& before, const ElementAnalysis& after) {
    VerifiedFix v;
    v.finding = fix.finding;
    v.stemId = fix.stemId;
    v.tool = fix.tool;
    double direction = -1;
    std::string what;
    std::optional<double> b, a;
    if (fix.tool == "section_ride") {
        v.measure = "vocal_to_rest_db";
        direction = fix.gainDb > 0 ? 1 : -1;
        const SectionVocalBalance* sb = sectionAt(before, fix.startSeconds);
        const SectionVocalBalance* sa = sectionAt(after, fix.startSeconds);
        if (sb) b = sb->vocalToRestDb;
        if (sa) a = sa->vocalToRestDb;
        what = "lead vocal against the rest in the " + (sb ? sb->section.label : std::string("section"));
    } else if (fix.tool == "width_ride") {
        v.measure = "side_over_mid_db";
        b = sideOverMid(before, fix);
        a = sideOverMid(after, fix);
        what = fix.stemId + " side over mid in its widest ridden section";
    } else if (fix.tool == "dynamic_eq") {
        v.measure = "note_over_neighbours_db";
        b = noteOver(before, fix.startSeconds);
        a = noteOver(after, fix.startSeconds);
        what = formatText("%s note at %.1f s over its neighbours", fix.stemId.c_str(), fix.startSeconds);
    } else if (fix.tool == "sidechain_duck") {
        v.measure = "bass_over_kick_db";
        b = before.bassOverKickDb;
        a = after.bassOverKickDb;
        what = "808 against the kick at its hits";
    } else {
        v.measure = "limiter_max_gain_reduction_db";
        if (before.limiterDrive.measured) b = before.limiterDrive.maxGainReductionDb;
        if (after.limiterDrive.measured) a = after.limiterDrive.maxGainReductionDb;
        what = "master limiter's largest gain reduction";
    }
    v.before = b.value_or(NAN);
    v.after = a.value_or(NAN);
    v.improved = b && a && direction * (*a - *b) >= kVerifiedMoveDb;
    v.text = b && a ? formatText("%s: %+.1f -> %+.1f dB", what.c_str(), *b, *a)
                    : what + ": not measurable on the fixed stems";
    return v;
}

} // namespace

std::vector<VerifiedFix> verifyFixes(const FolderScan& scan, const ElementAnalysis& before,
                                     const std::vector<SessionFix>& fixes) {
    if (fixes.empty()) return {};
    Session session = makeDefaultSession(scan);
    applyFixes(session, fixes);
    // Loaded as analyzeFolderElements loads them: the stems at the mix's (or the first stem's) rate.
    std::optional<LoadedAudio> mix;
    if (scan.mix) mix = loadAudio(scan.mix->path);
    std::vector<std::optional<LoadedAudio>> loaded(session.stems.size());
    std::vector<const LoadedAudio*> sources(session.stems.size(), nullptr);
    int rate = mix ? mix->info.sampleRate : 0;
    for (std::size_t i = 0; i < session.stems.size(); ++i) {
        for (const auto& s : scan.stems)
            if (s.path == session.stems[i].path && (rate == 0 || s.info.sampleRate == rate)) {
                loaded[i] = loadAudio(s.path);
                rate = loaded[i]->info.sampleRate;
                sources[i] = &*loaded[i];
            }
    }
    if (rate > 0) session.sample_rate = rate;
    const std::vector<LoadedAudio> processed = processStems(session, sources);
    std::vector<ElementStem> stems;
    for (std::size_t i = 0; i < session.stems.size(); ++i)
        if (sources[i]) {
            StemRole role = StemRole::Other;
            stemRoleFromName(session.stems[i].role, role);
            stems.push_back({&processed[i], role});
        }
    const ElementAnalysis after = analyzeElements(mix ? &*mix : nullptr, stems);
    std::vector<VerifiedFix> verified;
    for (const auto& fix : fixes)
        verified.push_back(measure(fix, before, after));
    return verified;
}

nlohmann::json toJson(const VerifiedFix& v) {
    const auto number = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); };
    return {{"finding", v.finding}, {"stem", v.stemId},           {"tool", v.tool},
            {"measure", v.measure}, {"before", number(v.before)}, {"after", number(v.after)},
            {"unit", v.unit},       {"improved", v.improved},     {"text", v.text}};
}

} // namespace lathe::core

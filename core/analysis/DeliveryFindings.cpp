#include "core/analysis/DeliveryFindings.h"

#include "core/render/RenderRefusal.h"
#include "core/text/FormatText.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace lathe::core {

namespace {

std::string fileName(const std::string& path) {
    return path.substr(path.find_last_of('/') + 1);
}

struct Context {
    const FolderScan& scan;
    const ValidationReport& report;
    std::vector<Finding> out;

    std::string elementOf(const std::string& path) const {
        if (scan.mix && scan.mix->path == path) return "mix";
        for (const auto& s : scan.stems)
            if (s.path == path) return stemRoleName(s.role);
        return "";
    }
    bool isMix(const std::string& path) const { return scan.mix && scan.mix->path == path; }
    Finding& add(std::string kind, const std::string& file, Recommendation calls, double figure,
                 std::string unit, std::string text, std::string fix, double confidence = 1.0) {
        Finding f;
        f.kind = std::move(kind);
        f.file = file;
        f.element = file.empty() ? "" : elementOf(file);
        f.calls = calls;
        f.figure = figure;
        f.unit = std::move(unit);
        f.text = std::move(text);
        f.fix = std::move(fix);
        f.confidence = confidence;
        out.push_back(std::move(f));
        return out.back();
    }
};

void headerFindings(Context& c) {
    const FolderScan& scan = c.scan;
    for (const auto& p : scan.problems)
        c.add("unusable_file", p.path, Recommendation::FixDelivery, 0.0, "",
              fileName(p.path) + " cannot be used: " + p.problem + ".",
              "re-export " + fileName(p.path) + " as a WAV file that opens");
    if (scan.stems.empty())
        c.add("no_stems", "", Recommendation::FixDelivery, 0.0, "files", "There are no stems in the folder.",
              "export the stems (4-8 groups: drums, bass, music, lead vocal, backing vocals, effects)");

    // The rate the delivery is at: the mix's, or the stems' most common one.
    std::map<int, int> count;
    for (const auto& s : scan.stems)
        ++count[s.info.sampleRate];
    int rate = scan.mix ? scan.mix->info.sampleRate : 0;
    if (!scan.mix)
        for (const auto& [r, n] : count)
            if (rate == 0 || n > count[rate]) rate = r;
    const double seconds =
        scan.mix ? static_cast<double>(scan.mix->info.frames) / scan.mix->info.sampleRate : 0.0;
    for (const auto& s : scan.stems)
        if (rate && s.info.sampleRate != rate)
            c.add("sample_rate", s.path, Recommendation::FixDelivery, s.info.sampleRate, "Hz",
                  formatText("%s is at %d Hz, the %s at %d Hz.", fileName(s.path).c_str(), s.info.sampleRate,
                             scan.mix ? "mix" : "other stems", rate),
                  scan.mix
                      ? formatText("re-export at %d Hz from the same session, as long as the mix (%.3f s)",
                                   rate, seconds)
                      : formatText("re-export at %d Hz from the same session", rate));

    // Lengths against the mix (or the longest stem at the delivery's rate), to the frame.
    int64_t reference = scan.mix ? scan.mix->info.frames : 0;
    if (!scan.mix)
        for (const auto& s : scan.stems)
            if (s.info.sampleRate == rate) reference = std::max(reference, s.info.frames);
    for (const auto& s : scan.stems) {
        if (s.info.sampleRate != rate || s.info.frames == reference) continue;
        const double diff = static_cast<double>(s.info.frames - reference) / rate;
        c.add("stem_length", s.path, Recommendation::FixDelivery, diff, "s",
              formatText("%s is %.3f s %s than the %s.", fileName(s.path).c_str(), std::abs(diff),
                         diff < 0 ? "shorter" : "longer", scan.mix ? "mix" : "longest stem"),
              formatText("re-export from bar 1 to the same end as the %s (%.3f s, %lld frames)",
                         scan.mix ? "mix" : "longest stem", static_cast<double>(reference) / rate,
                         static_cast<long long>(reference)));
    }
}

bool hasDc(const AudioFacts& f) {
    return f.dcOffsetDb > -50.0;
}
bool hasPhase(const AudioFacts& f) {
    return f.peakDbfs > -90.0 && f.correlation < -0.3;
}
bool hasLossy(const AudioFacts& f) {
    return f.bandLimitHz > 0.0;
}

void audioFindings(Context& c) {
    const ValidationReport& r = c.report;
    std::vector<const AudioFacts*> facts;
    for (const auto& f : r.stemFacts)
        facts.push_back(&f);
    if (r.mixFacts) facts.push_back(&*r.mixFacts);
    const bool nulls = r.nullTest && r.nullTest->residualDb <= kNullPassDb;
    const bool mixClipped = r.mixFacts && r.mixFacts->clippedSamples >= kClippedSamplesFinding;
    // What the mix only inherits from a stem (the stems null against it) is that stem's problem, not the
    // mix's: the finding goes on the stem alone.
    const auto inherited = [&](const AudioFacts& f, bool (*has)(const AudioFacts&)) {
        return c.isMix(f.path) && nulls &&
               std::any_of(r.stemFacts.begin(), r.stemFacts.end(),
                           [has](const AudioFacts& s) { return has(s); });
    };
    for (const auto* f : facts) {
        const bool mix = c.isMix(f->path);
        const std::string name = fileName(f->path);
        if (f->peakDbfs < -90.0 && !mix)
            c.add("silent_file", f->path, Recommendation::FixDelivery, f->peakDbfs, "dBFS",
                  formatText("%s is silent (peak %.1f dBFS).", name.c_str(), f->peakDbfs),
                  "re-export it with its audio, or leave it out if the part is not in the song");
        if (auto refusal = subAudibleRefusal(f->subAudibleLevelDb, f->audibleShareDb);
            refusal && f->peakDbfs >= -90.0)
            c.add("sub_audible", f->path, Recommendation::FixDelivery, f->audibleShareDb, "dB",
                  name + " " + *refusal + ".", "re-export it: it holds only DC or rumble");
        if (hasLossy(*f) && !inherited(*f, hasLossy))
            c.add(
                "lossy_source", f->path, Recommendation::FixDelivery, f->bandLimitHz, "Hz",
                formatText("%s stops abruptly at %.1f kHz, as an MP3 does: it was made from a lossy file.",
                           name.c_str(), f->bandLimitHz / 1000.0),
                mix ? "re-export the mix as a 24-bit WAV from the session"
                    : "re-export it from the session (or the original WAV), never from an MP3; if an MP3 is "
                      "all there is, the part has to be replaced in the mix");
        if (f->clippedSamples >= kClippedSamplesFinding) {
            const double confidence =
                confidencePast(static_cast<double>(f->clippedSamples), kClippedSamplesFinding, 300.0);
            if (mix && r.nullTest && !nulls && f->clippedSamples > 0) {
                // The stems are clean and the mix is not: a clipper (or an overloaded bus) on the mix.
                bool stemClipped = false;
                for (const auto& s : r.stemFacts)
                    stemClipped = stemClipped || s.clippedSamples >= kClippedSamplesFinding;
                if (!stemClipped) {
                    c.add("printed_clipping", f->path, Recommendation::MixRevision,
                          static_cast<double>(f->clippedSamples), "samples",
                          formatText("%s is clipped on the mix bus (%lld samples in flat tops) and the stems "
                                     "are not.",
                                     name.c_str(), static_cast<long long>(f->clippedSamples)),
                          "send the mix without the clipper or limiter on the master bus", confidence);
                    continue;
                }
            }
            if (!mix && r.nullTest && !nulls && !mixClipped)
                c.add(
                    "clipped_stem", f->path, Recommendation::FixDelivery,
                    static_cast<double>(f->clippedSamples), "samples",
                    formatText("%s is clipped (%lld samples in flat tops) and the mix is not: it was clipped "
                               "when it was bounced.",
                               name.c_str(), static_cast<long long>(f->clippedSamples)),
                    "re-bounce it with its level (or the bus it comes from) down, so nothing clips",
                    confidence);
            else if (!mix || !r.nullTest || !nulls || r.stemFacts.empty() ||
                     std::none_of(r.stemFacts.begin(), r.stemFacts.end(), [](const AudioFacts& s) {
                         return s.clippedSamples >= kClippedSamplesFinding;
                     }))
                c.add(
                    "clipping", f->path, Recommendation::MixRevision, static_cast<double>(f->clippedSamples),
                    "samples",
                    formatText("%s has flat-topped peaks (%lld samples): it was clipped at the source, and "
                               "mastering cannot put the peaks back.",
                               name.c_str(), static_cast<long long>(f->clippedSamples)),
                    mix ? "the mix engineer replaces what clips, and sends the mix again"
                        : "the mix engineer replaces the clipped recording or bounce, and sends the mix and "
                          "stems again",
                    confidence);
        }
        if (hasDc(*f) && !inherited(*f, hasDc))
            c.add("dc_offset", f->path, Recommendation::StereoMastering, f->dcOffsetDb, "dBFS",
                  formatText("%s has a DC offset (%.1f dBFS).", name.c_str(), f->dcOffsetDb),
                  "nothing to re-export: mastering's high-pass removes it (a new bounce without it is "
                  "cleaner)",
                  confidencePast(f->dcOffsetDb, -50.0, 20.0));
        if (hasPhase(*f) && !inherited(*f, hasPhase))
            c.add(
                "phase", f->path, Recommendation::MixRevision, f->correlation, "correlation",
                formatText("%s has its left and right out of phase (correlation %.2f): it vanishes in mono.",
                           name.c_str(), f->correlation),
                "the mix engineer fixes the out-of-phase side (a flipped channel or a widener)",
                confidencePast(-f->correlation, 0.3, 0.5));
    }
    const auto* dynamics = r.find("mix_dynamics");
    if (dynamics && dynamics->status == CheckStatus::Fail && r.mixFacts && dynamics->value)
        c.add("printed_limiting", r.mixFacts->path, Recommendation::MixRevision, *dynamics->value, "dB",
              formatText("%s has about %.1f dB of limiting printed on its loudest peaks (crest %.1f dB, %.0f "
                         "peaks a minute within 0.1 dB of its ceiling).",
                         fileName(r.mixFacts->path).c_str(), *dynamics->value, r.mixFacts->crestDb,
                         r.mixFacts->nearPeakPerMinute),
              "send the mix (and the stems, from the same pass) without master-bus limiting",
              confidencePast(*dynamics->value, kPrintedLimitingDb, 3.0));
}

void nullFindings(Context& c) {
    // With a file that could not be read, the stems cannot add up to the mix: what is missing is that file,
    // already named, not a part to look for.
    if (!c.report.nullTest || !c.scan.problems.empty()) return;
    const NullTestResult& n = *c.report.nullTest;
    for (const auto& s : n.stems) {
        const std::string name = fileName(s.path);
        if (s.lagSamples != 0)
            c.add("stem_offset", s.path, Recommendation::FixDelivery, s.lagSamples, "samples",
                  formatText("%s is %d samples %s against the mix.", name.c_str(), std::abs(s.lagSamples),
                             s.lagSamples > 0 ? "late" : "early"),
                  "re-export from the same start point as the mix, with plug-in delay compensation on");
        if (s.polarityInverted)
            c.add("polarity", s.path, Recommendation::FixDelivery, s.correlation, "correlation",
                  name + " is polarity-flipped against the mix.",
                  "re-export it without the polarity inversion (the mix has it the right way up)");
    }
    if (n.residualDb <= kNullPassDb) return;
    const double explained = n.correctedResidualDb - n.stemGainResidualDb;
    if (n.cause == NullCause::StemGain)
        for (const auto& s : n.stems) {
            if (s.silent || std::abs(s.gainDb) <= kStemGainToleranceDb || s.gainDb < kStemNotInMixDb)
                continue;
            c.add("stem_gain", s.path, Recommendation::FixDelivery, s.gainDb, "dB",
                  formatText("%s is %.1f dB %s than in the printed mix.", fileName(s.path).c_str(),
                             std::abs(s.gainDb), s.gainDb > 0 ? "quieter" : "louder"),
                  formatText("re-export it at the level it is mixed at (%+.1f dB: the fader, clip gain or "
                             "bus it went through in the mix)",
                             s.gainDb),
                  confidencePast(explained, 10.0, 20.0));
        }
    for (const auto& s : n.stems)
        if (!s.silent && s.gainDb < kStemNotInMixDb)
            c.add("extra_stem", s.path, Recommendation::FixDelivery, s.gainDb, "dB",
                  fileName(s.path) + " is not in the printed mix.",
                  "leave it out, or send the mix that has it");
    if (n.cause == NullCause::MissingStem)
        c.add("missing_stem", "", Recommendation::FixDelivery, n.stemGainResidualDb, "dB",
              formatText("Part of the mix is in no stem: with every stem at its best level, what is left is "
                         "only %.1f dB below the mix.",
                         -n.stemGainResidualDb),
              "export what is missing (an effect return, a bus, a part left out) as a stem",
              confidencePast(n.stemGainResidualDb, kNullPassDb, 20.0));
}

} // namespace

std::vector<Finding> deliveryFindings(const FolderScan& scan, const ValidationReport& report) {
    Context c{scan, report, {}};
    headerFindings(c);
    audioFindings(c);
    nullFindings(c);
    if (const auto* loudness = report.find("loudness"); loudness && loudness->status == CheckStatus::Fail)
        c.add("loudness", loudness->files.empty() ? "" : loudness->files.front(), Recommendation::FixDelivery,
              loudness->value.value_or(0.0), "LUFS", loudness->message, "re-export with the audio in it");
    return std::move(c.out);
}

} // namespace lathe::core

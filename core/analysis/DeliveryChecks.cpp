#include "core/analysis/DeliveryChecks.h"

#include "core/analysis/DeliveryFindings.h"
#include "core/text/FormatText.h"

#include "core/model/Session.h"
#include "core/render/RenderRefusal.h"

#include "dsp/IntegratedLoudness.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

namespace lathe::core {

const char* checkStatusName(CheckStatus status) {
    switch (status) {
    case CheckStatus::Pass:
        return "pass";
    case CheckStatus::Warn:
        return "warn";
    case CheckStatus::Fail:
        return "fail";
    }
    return "pass";
}

namespace {

std::string fileName(const std::string& path) {
    return path.substr(path.find_last_of('/') + 1);
}

std::string format(const char* fmt, double a, double b = 0.0) {
    char text[128];
    std::snprintf(text, sizeof text, fmt, a, b);
    return text;
}

std::string joinNames(const std::vector<std::string>& paths) {
    std::string out;
    for (const auto& p : paths)
        out += (out.empty() ? "" : ", ") + fileName(p);
    return out;
}

// Integrated loudness of a stereo programme held in memory (a mono file counts as both sides, as a render
// plays it).
double programmeLufs(const LoadedAudio& audio) {
    dsp::IntegratedLoudness meter;
    meter.prepare(audio.info.sampleRate);
    const auto& left = audio.channels.at(0);
    const auto& right = audio.channels.size() > 1 ? audio.channels[1] : left;
    meter.process(left.data(), right.data(), static_cast<int>(left.size()));
    return meter.integratedLufs();
}

// The stems summed at unity gain, shorter ones padded with silence, as the default session's render sums
// them.
double stemsSumLufs(const std::vector<LoadedAudio>& stems) {
    constexpr int64_t kBlock = 4096;
    int64_t length = 0;
    for (const auto& s : stems)
        length = std::max(length, s.frames());
    dsp::IntegratedLoudness meter;
    meter.prepare(stems.front().info.sampleRate);
    std::vector<float> sumL(kBlock), sumR(kBlock);
    for (int64_t pos = 0; pos < length; pos += kBlock) {
        const int64_t n = std::min(kBlock, length - pos);
        std::fill(sumL.begin(), sumL.end(), 0.0f);
        std::fill(sumR.begin(), sumR.end(), 0.0f);
        for (const auto& s : stems) {
            const auto& l = s.channels.at(0);
            const auto& r = s.channels.size() > 1 ? s.channels[1] : l;
            const int64_t have = std::clamp<int64_t>(s.frames() - pos, 0, n);
            for (int64_t i = 0; i < have; ++i) {
                sumL[static_cast<size_t>(i)] += l[static_cast<size_t>(pos + i)];
                sumR[static_cast<size_t>(i)] += r[static_cast<size_t>(pos + i)];
            }
        }
        meter.process(sumL.data(), sumR.data(), static_cast<int>(n));
    }
    return meter.integratedLufs();
}

// What the default session's render would master, the mix and the stems' sum, measured and put to the rule
// the render applies before its first limiter pass (RenderRefusal's loudnessRefusal, at the default target).
ValidationCheck loudnessCheck(const LoadedAudio* mix, const std::vector<LoadedAudio>& stems, bool oneRate) {
    const double target = Session{}.loudness.target_lufs;
    struct Programme {
        std::string name, deliverable;
        double lufs = 0;
        std::string file;
    };
    std::vector<Programme> programmes;
    if (mix && !mix->channels.empty())
        programmes.push_back({"the mix", "a stereo master", programmeLufs(*mix), mix->info.path});
    // At mixed rates the sum needs the render's resampling; the sample-rate check fails that delivery
    // already.
    if (!stems.empty() && oneRate)
        programmes.push_back({"the stems sum", "a stem master", stemsSumLufs(stems), std::string()});

    ValidationCheck check;
    check.name = "loudness";
    if (programmes.empty()) {
        check.figure = "not measured";
        check.message = "There is nothing to measure at one sample rate.";
        return check;
    }
    double lowest = programmes.front().lufs;
    std::string figure, measured;
    bool anyLoudness = false;
    for (const auto& p : programmes) {
        lowest = std::min(lowest, p.lufs);
        const bool silent = p.lufs <= -199.0;
        anyLoudness = anyLoudness || !silent;
        figure += (figure.empty() ? "" : " / ") + (silent ? std::string("silent") : format("%.1f", p.lufs));
        measured += (measured.empty() ? "" : ", ") + p.name + " " +
                    (silent ? std::string("silent") : format("%.1f LUFS", p.lufs));
        if (auto refusal = loudnessRefusal(p.name, p.deliverable, p.lufs, target)) {
            check.status = CheckStatus::Fail;
            std::string sentence = *refusal;
            sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
            check.message += (check.message.empty() ? "" : " ") + sentence + ".";
            if (!p.file.empty()) check.files.push_back(p.file);
        }
    }
    check.figure = anyLoudness ? figure + " LUFS" : figure;
    check.value = lowest;
    if (check.status == CheckStatus::Pass)
        check.message = "There is programme to master: " + measured + ".";
    else
        check.message += " Lathe will not master it.";
    return check;
}

// Limiting printed on the mix: measured against the stems where they are there to compare (how many dB the
// loudest peaks were pulled down), otherwise only suspected from the mix alone (a low crest factor or a
// ceiling its peaks keep hitting).
ValidationCheck mixDynamicsCheck(const AudioFacts& mix, const std::optional<NullTestResult>& null) {
    ValidationCheck c;
    c.name = "mix_dynamics";
    c.files = {mix.path};
    const double printed = null ? null->printedGainReductionDb : 0.0;
    if (null && printed >= kPrintedLimitingDb) {
        c.status = CheckStatus::Fail;
        c.figure = formatText("%.1f dB limiting", printed);
        c.value = printed;
        c.message =
            formatText("The mix has about %.1f dB of limiting printed on its loudest peaks (against the "
                       "stems' sum; crest %.1f dB): send the mix without master-bus processing.",
                       printed, mix.crestDb);
        return c;
    }
    const bool ceiling = mix.nearPeakPerMinute >= kNearPeakPerMinuteLimited;
    c.figure = formatText("crest %.1f dB", mix.crestDb);
    c.value = mix.crestDb;
    if (mix.crestDb < 9.0 || (ceiling && !null)) {
        c.status = CheckStatus::Warn;
        c.message =
            formatText("The mix looks compressed or limited (peak-to-RMS %.1f dB, ", mix.crestDb) +
            formatText("%.0f peaks a minute within 0.1 dB of its ceiling): leave master-bus processing "
                       "off the mix you send.",
                       mix.nearPeakPerMinute);
    } else {
        c.message = "The mix has its dynamics: no sign of a master-bus limiter.";
    }
    return c;
}

} // namespace

bool ValidationReport::failed() const {
    return std::any_of(checks.begin(), checks.end(),
                       [](const auto& c) { return c.status == CheckStatus::Fail; });
}

const ValidationCheck* ValidationReport::find(const std::string& name) const {
    for (const auto& c : checks)
        if (c.name == name) return &c;
    return nullptr;
}

ValidationReport validateFolder(const FolderScan& scan) {
    ValidationReport report;
    report.folder = scan.folder;
    auto& checks = report.checks;
    const auto add = [&](std::string name, CheckStatus status, std::string figure,
                         std::optional<double> value, std::string message,
                         std::vector<std::string> files = {}) {
        checks.push_back(
            {std::move(name), status, std::move(figure), value, std::move(message), std::move(files)});
    };

    const auto stemCount = static_cast<double>(scan.stems.size());
    if (scan.stems.empty())
        add("stem_count", CheckStatus::Fail, "0 stems", 0.0, "There are no stems in the folder.");
    else if (scan.stems.size() < 4)
        add("stem_count", CheckStatus::Warn, format("%.0f stems", stemCount), stemCount,
            "Fewer than 4 stems: stem mastering would be stereo mastering with extra steps.");
    else if (scan.stems.size() > 8)
        add("stem_count", CheckStatus::Warn, format("%.0f stems", stemCount), stemCount,
            "More than 8 stems: balancing this many parts is the mix engineer's job; ask for 4-8 group "
            "stems.");
    else
        add("stem_count", CheckStatus::Pass, format("%.0f stems", stemCount), stemCount,
            "A workable number of stems for stem mastering.");

    std::vector<std::string> unlabelled;
    for (const auto& s : scan.stems)
        if (!s.roleRecognised) unlabelled.push_back(s.path);
    add("labels", unlabelled.empty() ? CheckStatus::Pass : CheckStatus::Warn,
        format("%.0f unrecognised", static_cast<double>(unlabelled.size())),
        static_cast<double>(unlabelled.size()),
        unlabelled.empty()
            ? "Every stem's name says what it is."
            : "Lathe cannot tell what these stems are from their names: " + joinNames(unlabelled) + ".",
        unlabelled);
    // What a render refuses, this check fails (RenderRefusal), naming each file and its problem.
    if (unusableFilesRefusal(scan)) {
        std::vector<std::string> files;
        for (const auto& p : scan.problems)
            files.push_back(p.path);
        std::string message =
            "Some files cannot be used, and Lathe will not master the folder without them: ";
        for (size_t i = 0; i < scan.problems.size(); ++i)
            message += (i ? "; " : "") + fileName(scan.problems[i].path) + ": " + scan.problems[i].problem;
        add("unusable_files", CheckStatus::Fail, format("%.0f files", static_cast<double>(files.size())),
            static_cast<double>(files.size()), message, files);
    }
    add("mix_present", scan.mix ? CheckStatus::Pass : CheckStatus::Warn, scan.mix ? "yes" : "no",
        std::nullopt,
        scan.mix ? "The printed mix is there to check the stems against."
                 : "There is no printed mix, so the stems cannot be checked against it.");

    // Formats and rates, from the headers.
    std::vector<const ScannedFile*> all;
    for (const auto& s : scan.stems)
        all.push_back(&s);
    if (scan.mix) all.push_back(&*scan.mix);
    std::map<int, std::vector<std::string>> byRate;
    std::vector<std::string> oddRate, weakFormat;
    for (const auto* f : all) {
        byRate[f->info.sampleRate].push_back(f->path);
        if (f->info.sampleRate != 44100 && f->info.sampleRate != 48000) oddRate.push_back(f->path);
        const bool good =
            (f->info.container == "wav" || f->info.container == "aiff" || f->info.container == "flac") &&
            (f->info.isFloat || f->info.bitDepth >= 24);
        if (!good) weakFormat.push_back(f->path);
    }
    if (byRate.size() > 1) {
        std::string figure, files;
        std::vector<std::string> concerned;
        for (const auto& [rate, paths] : byRate) {
            figure += (figure.empty() ? "" : " vs ") + std::to_string(rate);
            if (paths.size() < all.size() / 2 + 1)
                concerned.insert(concerned.end(), paths.begin(), paths.end());
        }
        add("sample_rate", CheckStatus::Fail, figure + " Hz", std::nullopt,
            "The files are at different sample rates (" + figure +
                " Hz): they were bounced from different sessions or settings; ask for one rate.",
            concerned);
    } else if (!oddRate.empty()) {
        add("sample_rate", CheckStatus::Warn, std::to_string(all.front()->info.sampleRate) + " Hz",
            all.front()->info.sampleRate, "The files are at an unusual rate; 44.1 or 48 kHz is expected.",
            oddRate);
    } else if (!all.empty()) {
        add("sample_rate", CheckStatus::Pass, std::to_string(all.front()->info.sampleRate) + " Hz",
            all.front()->info.sampleRate, "Every file is at the same standard sample rate.");
    }
    add("format", weakFormat.empty() ? CheckStatus::Pass : CheckStatus::Warn,
        format("%.0f below 24-bit", static_cast<double>(weakFormat.size())),
        static_cast<double>(weakFormat.size()),
        weakFormat.empty()
            ? "Every file is 24-bit or floating-point lossless audio."
            : "These files are not 24-bit or float lossless audio: " + joinNames(weakFormat) + ".",
        weakFormat);

    // Lengths against the mix (or the longest stem), to the frame.
    if (!all.empty()) {
        const ScannedFile* ref = scan.mix ? &*scan.mix : all.front();
        if (!scan.mix)
            for (const auto* f : all)
                if (f->info.frames > ref->info.frames) ref = f;
        double worst = 0.0;
        std::vector<std::string> off;
        for (const auto& s : scan.stems) {
            // A file at another rate is re-exported at the right one anyway (the sample-rate check says
            // so); its length is judged then, not through a rate conversion it has not had.
            if (s.info.sampleRate != ref->info.sampleRate) continue;
            // Seconds compare files at different rates honestly; frames would not.
            const double diff = static_cast<double>(s.info.frames) / s.info.sampleRate -
                                static_cast<double>(ref->info.frames) / ref->info.sampleRate;
            if (s.info.frames != ref->info.frames || s.info.sampleRate != ref->info.sampleRate) {
                if (std::abs(diff) < 1e-9 && s.info.sampleRate == ref->info.sampleRate) continue;
                off.push_back(s.path);
                if (std::abs(diff) > std::abs(worst)) worst = diff;
            }
        }
        if (off.empty())
            add("length", CheckStatus::Pass, "0 frames", 0.0, "Every stem is exactly as long as the mix.");
        else
            add("length", CheckStatus::Fail,
                format("%.3f s ", std::abs(worst)) + (worst < 0 ? "shorter" : "longer"), worst,
                joinNames(off) + (off.size() == 1 ? " is " : " are ") + format("%.3f s ", std::abs(worst)) +
                    (worst < 0 ? "shorter" : "longer") +
                    " than the mix: all stems should start at bar 1 and run to the same end.",
                off);
    }

    // Everything below needs the audio.
    std::vector<LoadedAudio> stems;
    for (const auto& s : scan.stems)
        stems.push_back(loadAudio(s.path));
    std::optional<LoadedAudio> mix;
    if (scan.mix) mix = loadAudio(scan.mix->path);
    for (const auto& s : stems)
        report.stemFacts.push_back(measureFacts(s));
    if (mix) report.mixFacts = measureFacts(*mix);

    std::vector<std::string> clipped, silent, lossy, dc, phaseFail, phaseWarn;
    int64_t worstClip = 0;
    double worstBand = 0.0, worstDc = -200.0, worstCorr = 1.0;
    std::vector<const AudioFacts*> facts;
    for (const auto& f : report.stemFacts)
        facts.push_back(&f);
    if (report.mixFacts) facts.push_back(&*report.mixFacts);
    for (const auto* f : facts) {
        // 30 samples in runs is more than chance on a synthetic or real peak, less than a clipped take.
        if (f->clippedSamples >= kClippedSamplesFinding)
            clipped.push_back(f->path), worstClip = std::max(worstClip, f->clippedSamples);
        if (f->peakDbfs < -90.0) silent.push_back(f->path);
        if (f->bandLimitHz > 0.0) {
            lossy.push_back(f->path);
            if (worstBand == 0.0 || f->bandLimitHz < worstBand) worstBand = f->bandLimitHz;
        }
        if (f->dcOffsetDb > -50.0) dc.push_back(f->path), worstDc = std::max(worstDc, f->dcOffsetDb);
        if (f->peakDbfs > -90.0) {
            // Uncorrelated sides (a wide pad, a reverb) lose 3 dB in mono and are normal; negative
            // correlation means parts of the file cancel.
            if (f->correlation < -0.3)
                phaseFail.push_back(f->path);
            else if (f->correlation < -0.1)
                phaseWarn.push_back(f->path);
            worstCorr = std::min(worstCorr, f->correlation);
        }
    }
    add("clipping", clipped.empty() ? CheckStatus::Pass : CheckStatus::Fail,
        format("%.0f clipped samples", static_cast<double>(worstClip)), static_cast<double>(worstClip),
        clipped.empty()
            ? "No flat-topped (clipped) peaks."
            : joinNames(clipped) + " has flat-topped peaks: it was clipped when it was recorded or "
                                   "bounced, and mastering cannot put the peaks back.",
        clipped);
    add("silence", silent.empty() ? CheckStatus::Pass : CheckStatus::Warn,
        format("%.0f silent files", static_cast<double>(silent.size())), static_cast<double>(silent.size()),
        silent.empty() ? "Every file has audio in it."
                       : joinNames(silent) + " is silent: was it bounced empty?",
        silent);
    add("lossy_source", lossy.empty() ? CheckStatus::Pass : CheckStatus::Fail,
        lossy.empty() ? "none" : format("cut at %.0f Hz", worstBand),
        lossy.empty() ? std::nullopt : std::optional(worstBand),
        lossy.empty()
            ? "No sign of MP3 or other lossy sources."
            : joinNames(lossy) + format(" stops abruptly at %.1f kHz, as an MP3 does: it was made from a "
                                        "lossy file; ask for the original WAV.",
                                        worstBand / 1000.0),
        lossy);
    // Render refuses a DC-only or sub-audible source, and the loudness it cannot master (RenderRefusal).
    std::vector<std::string> subAudible;
    std::string subAudibleProblem;
    double worstShare = 0.0;
    for (const auto* f : facts)
        if (auto refusal = subAudibleRefusal(f->subAudibleLevelDb, f->audibleShareDb)) {
            subAudible.push_back(f->path);
            if (subAudibleProblem.empty()) subAudibleProblem = *refusal;
            worstShare = std::min(worstShare, f->audibleShareDb);
        }
    add("sub_audible", subAudible.empty() ? CheckStatus::Pass : CheckStatus::Fail,
        subAudible.empty()    ? "none"
        : worstShare < -120.0 ? std::string("nothing audible")
                              : format("%.1f dB audible", worstShare),
        subAudible.empty() ? std::nullopt : std::optional(worstShare),
        subAudible.empty() ? "Every file's level is in what the ear hears (none is only DC or rumble)."
                           : joinNames(subAudible) + " " + subAudibleProblem +
                                 "; Lathe will not master it: ask for a new bounce.",
        subAudible);
    checks.push_back(loudnessCheck(mix ? &*mix : nullptr, stems, byRate.size() == 1));
    add("dc_offset", dc.empty() ? CheckStatus::Pass : CheckStatus::Warn, format("%.1f dBFS", worstDc),
        worstDc, dc.empty() ? "No DC offset." : joinNames(dc) + " has a DC offset, which wastes headroom.",
        dc);
    add("phase",
        !phaseFail.empty()  ? CheckStatus::Fail
        : phaseWarn.empty() ? CheckStatus::Pass
                            : CheckStatus::Warn,
        format("correlation %.2f", worstCorr), worstCorr,
        !phaseFail.empty()
            ? joinNames(phaseFail) + " has its left and right out of phase: it will vanish in mono."
        : !phaseWarn.empty()
            ? joinNames(phaseWarn) + " is partly out of phase: it loses level when played in mono."
            : "Left and right work together; nothing disappears in mono.",
        !phaseFail.empty() ? phaseFail : phaseWarn);
    // Alignment and null, only where they mean something.
    if (mix && byRate.size() == 1 && !stems.empty()) report.nullTest = runNullTest(*mix, stems);
    if (report.mixFacts) checks.push_back(mixDynamicsCheck(*report.mixFacts, report.nullTest));

    if (report.nullTest) {
        // What the null test alone reads as a missing part is, with a lossy stem in the folder, the codec's
        // band limit and coding noise: the stem, not the mix, is what has to be replaced.
        std::vector<std::string> lossyStems;
        for (const auto& path : lossy)
            if (!report.mixFacts || path != report.mixFacts->path) lossyStems.push_back(path);
        if (report.nullTest->cause == NullCause::MissingStem && !lossyStems.empty()) {
            report.nullTest->cause = NullCause::LossyStem;
            report.nullTest->explanation =
                joinNames(lossyStems) + " was made from a lossy file (MP3): what the codec removed and added "
                                        "cannot cancel against the mix.";
        }
        // A stem with flat tops the mix does not have was clipped when it was bounced: that file, not the
        // mix bus, is what differs.
        std::vector<std::string> clippedStems;
        for (const auto& path : clipped)
            if (!report.mixFacts || path != report.mixFacts->path) clippedStems.push_back(path);
        const bool mixClipped = report.mixFacts && report.mixFacts->clippedSamples >= kClippedSamplesFinding;
        if (report.nullTest->residualDb > kNullPassDb && !clippedStems.empty() && !mixClipped &&
            report.nullTest->cause != NullCause::StemOffset &&
            report.nullTest->cause != NullCause::PolarityFlip &&
            report.nullTest->cause != NullCause::StemLength) {
            report.nullTest->cause = NullCause::ClippedStem;
            report.nullTest->explanation =
                joinNames(clippedStems) + (clippedStems.size() == 1 ? " is" : " are") +
                " clipped and the mix is not: the stem was clipped when it was bounced, and the mix holds it "
                "clean.";
        }
        const NullTestResult& n = *report.nullTest;
        std::vector<std::string> late, flipped;
        int worstLag = 0;
        for (const auto& s : n.stems) {
            if (s.lagSamples != 0) {
                late.push_back(s.path);
                if (std::abs(s.lagSamples) > std::abs(worstLag)) worstLag = s.lagSamples;
            }
            if (s.polarityInverted) flipped.push_back(s.path);
        }
        add("alignment", late.empty() ? CheckStatus::Pass : CheckStatus::Fail,
            format("%.0f samples", worstLag), worstLag, "Every stem lines up with the mix to the sample.",
            late);
        if (!late.empty())
            checks.back().message = joinNames(late) + format(" is %.0f samples ", std::abs(worstLag)) +
                                    (worstLag > 0 ? "late" : "early") +
                                    " against the mix: every stem must start at the same point as the mix.";
        add("polarity", flipped.empty() ? CheckStatus::Pass : CheckStatus::Fail,
            format("%.0f flipped", static_cast<double>(flipped.size())), static_cast<double>(flipped.size()),
            flipped.empty() ? "No stem is upside down against the mix."
                            : joinNames(flipped) + " is polarity-flipped against the mix.",
            flipped);
        const CheckStatus status = n.residualDb <= kNullPassDb   ? CheckStatus::Pass
                                   : n.residualDb <= kNullWarnDb ? CheckStatus::Warn
                                                                 : CheckStatus::Fail;
        add("null", status, format("%.1f dB", n.residualDb), n.residualDb,
            status == CheckStatus::Pass
                ? (n.residualDb <= -120.0
                       ? std::string("The stems add back up to the mix exactly, to the last bit.")
                       : format("The stems add back up to the mix (what is left is %.1f dB below it).",
                                -n.residualDb))
                : format("The stems do not add up to the mix (what is left is only %.1f dB below it). ",
                         -n.residualDb) +
                      n.explanation);
    }
    report.findings = deliveryFindings(scan, report);
    return report;
}

nlohmann::json toJson(const ValidationReport& report) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : report.checks)
        checks.push_back({{"name", c.name},
                          {"status", checkStatusName(c.status)},
                          {"figure", c.figure},
                          {"value", c.value ? nlohmann::json(*c.value) : nlohmann::json()},
                          {"message", c.message},
                          {"files", c.files}});
    const auto factsJson = [](const AudioFacts& f) {
        return nlohmann::json{{"path", f.path},
                              {"peak_dbfs", f.peakDbfs},
                              {"rms_db", f.rmsDb},
                              {"crest_db", f.crestDb},
                              {"dc_offset_db", f.dcOffsetDb},
                              {"clipped_samples", f.clippedSamples},
                              {"correlation", f.correlation},
                              {"mono_fold_loss_db", f.monoFoldLossDb},
                              {"band_limit_hz", f.bandLimitHz},
                              {"audible_share_db", f.audibleShareDb},
                              {"near_peak_per_minute", f.nearPeakPerMinute}};
    };
    nlohmann::json stems = nlohmann::json::array();
    for (const auto& f : report.stemFacts)
        stems.push_back(factsJson(f));
    return {{"folder", report.folder},
            {"passed", !report.failed()},
            {"checks", checks},
            {"null_test", report.nullTest ? toJson(*report.nullTest) : nlohmann::json()},
            {"stems", stems},
            {"mix", report.mixFacts ? factsJson(*report.mixFacts) : nlohmann::json()},
            {"findings", toJson(report.findings)}};
}

} // namespace lathe::core

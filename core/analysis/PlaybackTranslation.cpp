#include "core/analysis/PlaybackTranslation.h"

#include "core/Error.h"
#include "core/io/AudioFileWriter.h"
#include "core/io/CodecPreview.h"
#include "core/text/FormatText.h"

#include "dsp/Decibels.h"
#include "dsp/ScopedFlushDenormals.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <future>
#include <numbers>
#include <thread>
#include <tuple>

namespace lathe::core {

namespace {

constexpr double kHopSeconds = 0.1;
// A hop counts as sung when the vocal is within this of its loudest hop (as ElementAnalysis gates it).
constexpr double kSungWindowDb = 30.0;

struct StereoBuffer {
    std::vector<float> left, right;
    explicit StereoBuffer(std::size_t frames = 0) : left(frames, 0.0f), right(frames, 0.0f) {}
    std::size_t frames() const { return left.size(); }
    void add(const LoadedAudio& a) {
        const std::vector<float> l = a.channel(0), r = a.channel(1);
        const std::size_t n = std::min(frames(), l.size());
        for (std::size_t i = 0; i < n; ++i)
            left[i] += l[i], right[i] += r[i];
    }
};

// Per-hop energies (sums of squares) of the four signals a system is measured on, after the system's model
// and the K-weighting (the BS.1770 pre-filter: a +4 dB shelf above ~1.7 kHz and a high-pass at 38 Hz), so a
// vocal and a band are compared by how loud they sound, not by raw power, which the sub-bass of a hip-hop mix
// would dominate. The vocal and the rest are heard as the channels' average: the models are linear and the
// same on both channels (a mono-summing one feeds both the same (L + R) / 2), so filtering the average gives
// what averaging the filtered channels gives, at half the work.
struct HopEnergies {
    std::vector<double> vocal, rest, left, right;
};

struct SystemInputs {
    std::vector<float> vocal, rest;     // (L + R) / 2, frames long (zeros without a vocal)
    const StereoBuffer* loud = nullptr; // the mix, or the stems' sum: what the loudness figure is of
    std::vector<float> loudMid;         // (L + R) / 2 of loud, for mono-summing systems
};

// BS.1770's K-weighting at any rate, as libebur128 derives it from the 48 kHz specification: a high shelf and
// a high-pass whose numerator is exactly 1, -2, 1.
std::pair<dsp::BiquadCoefficients, dsp::BiquadCoefficients> bs1770KWeighting(double fs) {
    dsp::BiquadCoefficients shelf, highPass;
    {
        const double f0 = 1681.974450955533, g = 3.999843853973347, q = 0.7071752369554196;
        const double k = std::tan(std::numbers::pi * f0 / fs), vh = std::pow(10.0, g / 20.0),
                     vb = std::pow(vh, 0.4996667741545416), a0 = 1.0 + k / q + k * k;
        shelf.b0 = (vh + vb * k / q + k * k) / a0;
        shelf.b1 = 2.0 * (k * k - vh) / a0;
        shelf.b2 = (vh - vb * k / q + k * k) / a0;
        shelf.a1 = 2.0 * (k * k - 1.0) / a0;
        shelf.a2 = (1.0 - k / q + k * k) / a0;
    }
    {
        const double f0 = 38.13547087602444, q = 0.5003270373238773;
        const double k = std::tan(std::numbers::pi * f0 / fs), a0 = 1.0 + k / q + k * k;
        highPass.b0 = 1.0;
        highPass.b1 = -2.0;
        highPass.b2 = 1.0;
        highPass.a1 = 2.0 * (k * k - 1.0) / a0;
        highPass.a2 = (1.0 - k / q + k * k) / a0;
    }
    return {shelf, highPass};
}

HopEnergies measureSystem(dsp::PlaybackSystem system, const SystemInputs& in, double fs, std::size_t hop) {
    // The filters' states decay into denormals through a silent passage (a vocal's intro), which made this
    // pass 5x slower; flushing them changes no figure.
    const dsp::ScopedFlushDenormals flush;
    const dsp::PlaybackModel model = dsp::makePlaybackModel(system, fs);
    constexpr int kMaxStages = dsp::PlaybackModel::kMaxSections + 2;
    // Coefficients per stage and lane: the model is the same on every lane; the K-weighting of the vocal
    // and the rest is the cookbook one these figures have always used, the loudness lanes' is BS.1770's own
    // (libebur128's formulation, whose high-pass passes 0.04 dB more than the cookbook's), so the loudness
    // figures agree with `lathe-cli analyze`.
    struct Lanes4 {
        double v[4];
    };
    struct Stage {
        Lanes4 b0, b1, b2, a1, a2;
    };
    std::array<Stage, kMaxStages> stages{};
    const auto set = [&stages](int s, int lane, const dsp::BiquadCoefficients& k) {
        Stage& st = stages[static_cast<std::size_t>(s)];
        st.b0.v[lane] = k.b0, st.b1.v[lane] = k.b1, st.b2.v[lane] = k.b2, st.a1.v[lane] = k.a1,
        st.a2.v[lane] = k.a2;
    };
    int count = 0;
    for (int s = 0; s < model.numSections; ++s, ++count)
        for (int l = 0; l < 4; ++l)
            set(count, l, model.sections[static_cast<std::size_t>(s)]);
    const dsp::BiquadCoefficients shelf = dsp::makeHighShelf(fs, 1681.974450955533, 0.7071752369554196,
                                                             3.999843853973347),
                                  highPass = dsp::makeHighPass(fs, 38.13547087602444, 0.5003270373238773);
    const auto [bs1770Shelf, bs1770HighPass] = bs1770KWeighting(fs);
    for (int l = 0; l < 4; ++l) {
        set(count, l, l < 2 ? shelf : bs1770Shelf);
        set(count + 1, l, l < 2 ? highPass : bs1770HighPass);
    }
    count += 2;

    const std::size_t frames = in.loud->frames();
    const bool mono = model.monoSum;
    const float* lanes[4] = {in.vocal.data(), in.rest.data(), mono ? in.loudMid.data() : in.loud->left.data(),
                             mono ? in.loudMid.data() : in.loud->right.data()};
    const std::size_t hops = (frames + hop - 1) / hop;
    HopEnergies e;
    e.vocal.assign(hops, 0.0);
    e.rest.assign(hops, 0.0);
    e.left.assign(hops, 0.0);
    e.right.assign(hops, 0.0);
    // Four independent lanes side by side keep the pipeline full where one recursive filter would wait on
    // itself.
    double z1[kMaxStages][4] = {}, z2[kMaxStages][4] = {};
    for (std::size_t h = 0; h < hops; ++h) {
        double acc[4] = {0.0, 0.0, 0.0, 0.0};
        const std::size_t end = std::min(frames, (h + 1) * hop);
        for (std::size_t i = h * hop; i < end; ++i) {
            double x[4];
            for (int l = 0; l < 4; ++l)
                x[l] = lanes[l][i];
            for (int s = 0; s < count; ++s) {
                const Stage& k = stages[static_cast<std::size_t>(s)];
                for (int l = 0; l < 4; ++l) {
                    const double y = k.b0.v[l] * x[l] + z1[s][l];
                    z1[s][l] = k.b1.v[l] * x[l] - k.a1.v[l] * y + z2[s][l];
                    z2[s][l] = k.b2.v[l] * x[l] - k.a2.v[l] * y;
                    x[l] = y;
                }
            }
            for (int l = 0; l < 4; ++l)
                acc[l] += x[l] * x[l];
        }
        e.vocal[h] = acc[0];
        e.rest[h] = acc[1];
        e.left[h] = acc[2];
        e.right[h] = acc[3];
    }
    return e;
}

std::optional<double> ratioDb(double num, double den) {
    if (num <= 1e-20 || den <= 1e-20) return std::nullopt;
    return 10.0 * std::log10(num / den);
}

// BS.1770-4 gated loudness from the K-weighted channels' energies per 100 ms hop: 400 ms blocks overlapping
// by 75 % (whole hops only, as libebur128 does), an absolute gate at -70 LUFS and a relative one 10 LU under
// the absolutely gated mean. kSilenceDb when no block passes, as dsp::LoudnessMeter reports.
double integratedLufs(const HopEnergies& e, std::size_t hop, std::size_t frames) {
    const std::size_t whole = frames / hop;
    std::vector<double> blocks;
    for (std::size_t h = 3; h < whole; ++h) {
        double sum = 0.0;
        for (std::size_t j = h - 3; j <= h; ++j)
            sum += e.left[j] + e.right[j];
        blocks.push_back(sum / static_cast<double>(4 * hop));
    }
    const auto gatedMean = [&blocks](double threshold) {
        double sum = 0.0;
        std::size_t n = 0;
        for (double z : blocks)
            if (z > threshold) sum += z, ++n;
        return n ? sum / static_cast<double>(n) : 0.0;
    };
    const double absolute = std::pow(10.0, (-70.0 + 0.691) / 10.0);
    const double first = gatedMean(absolute);
    if (first <= 0.0) return dsp::kSilenceDb;
    const double second = gatedMean(std::max(absolute, first * 0.1));
    return second > 0.0 ? -0.691 + 10.0 * std::log10(second) : dsp::kSilenceDb;
}

// "On a phone speaker", "In a car": how a sentence about the system starts.
const char* systemPhrase(dsp::PlaybackSystem s) {
    switch (s) {
    case dsp::PlaybackSystem::PhoneSpeaker:
        return "On a phone speaker";
    case dsp::PlaybackSystem::LaptopSpeakers:
        return "On laptop speakers";
    case dsp::PlaybackSystem::Earbuds:
        return "On earbuds";
    case dsp::PlaybackSystem::Car:
        return "In a car";
    case dsp::PlaybackSystem::Flat:
        break;
    }
    return "On a flat system";
}

TranslationReport analyzeBuffers(const StereoBuffer* mix, const StereoBuffer* vocal, const StereoBuffer& rest,
                                 double fs, const std::vector<SongSection>& sections) {
    TranslationReport report;
    const auto hop = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(kHopSeconds * fs)));
    const std::size_t frames = rest.frames();
    const auto midOf = [frames](const StereoBuffer& s) {
        std::vector<float> m(frames, 0.0f);
        for (std::size_t i = 0; i < std::min(frames, s.frames()); ++i)
            m[i] = static_cast<float>(0.5 * (static_cast<double>(s.left[i]) + s.right[i]));
        return m;
    };
    SystemInputs in;
    in.rest = midOf(rest);
    in.vocal = vocal ? midOf(*vocal) : std::vector<float>(frames, 0.0f);
    StereoBuffer sum;
    if (mix) {
        in.loud = mix;
    } else {
        sum = rest;
        if (vocal)
            for (std::size_t i = 0; i < sum.frames(); ++i)
                sum.left[i] += vocal->left[i], sum.right[i] += vocal->right[i];
        in.loud = &sum;
    }
    in.loudMid = midOf(*in.loud);

    // Every system (Flat first) measured at once, each on its own thread: they share only read-only inputs.
    std::vector<HopEnergies> energies(static_cast<std::size_t>(dsp::kPlaybackSystemCount));
    {
        std::vector<std::thread> workers;
        for (int k = 0; k < dsp::kPlaybackSystemCount; ++k)
            workers.emplace_back([&, k] {
                energies[static_cast<std::size_t>(k)] =
                    measureSystem(static_cast<dsp::PlaybackSystem>(k), in, fs, hop);
            });
        for (auto& w : workers)
            w.join();
    }

    // The hops the vocal sings in, decided once on the flat signal.
    std::vector<bool> sung;
    if (vocal) {
        const std::vector<double>& e = energies.front().vocal;
        double loudest = 0.0;
        for (double x : e)
            loudest = std::max(loudest, x);
        const double threshold = loudest * std::pow(10.0, -kSungWindowDb / 10.0);
        sung.resize(e.size());
        for (std::size_t h = 0; h < e.size(); ++h)
            sung[h] = loudest > 0.0 && e[h] > threshold;
    }
    const auto vocalFigures = [&](const HopEnergies& e) {
        const std::vector<double>&ev = e.vocal, &er = e.rest;
        double tv = 0.0, tr = 0.0;
        for (std::size_t h = 0; h < sung.size() && h < er.size(); ++h)
            if (sung[h]) tv += ev[h], tr += er[h];
        std::vector<std::optional<double>> perSection;
        for (const auto& s : sections) {
            const auto h0 = static_cast<std::size_t>(std::llround(s.startSeconds / kHopSeconds));
            const auto h1 =
                std::min(sung.size(), static_cast<std::size_t>(std::llround(s.endSeconds / kHopSeconds)));
            double sv = 0.0, sr = 0.0;
            std::size_t count = 0;
            for (std::size_t h = h0; h < h1 && h < er.size(); ++h)
                if (sung[h]) ++count, sv += ev[h], sr += er[h];
            // As ElementAnalysis: the vocal must sing in a quarter of the section for a figure.
            perSection.push_back(h1 > h0 && count * 4 >= h1 - h0 ? ratioDb(sv, sr) : std::nullopt);
        }
        return std::make_pair(ratioDb(tv, tr), perSection);
    };

    std::optional<double> flatOverall;
    std::vector<std::optional<double>> flatSections;
    if (vocal) std::tie(flatOverall, flatSections) = vocalFigures(energies.front());
    const std::optional<double> flatLufs = integratedLufs(energies.front(), hop, frames);

    for (int k = 1; k < dsp::kPlaybackSystemCount; ++k) {
        const auto system = static_cast<dsp::PlaybackSystem>(k);
        const HopEnergies& e = energies[static_cast<std::size_t>(k)];
        SystemTranslation t;
        t.system = system;
        t.flatVocalToRestDb = flatOverall;
        t.flatIntegratedLufs = flatLufs;
        if (vocal) std::tie(t.vocalToRestDb, t.sectionVocalToRestDb) = vocalFigures(e);
        t.integratedLufs = integratedLufs(e, hop, frames);

        const char* where = systemPhrase(system);
        if (t.vocalToRestDb && flatOverall) {
            const double change = *t.vocalToRestDb - *flatOverall;
            // The section where the vocal loses most.
            double worst = change;
            std::string worstSection;
            for (std::size_t s = 0; s < sections.size() && s < t.sectionVocalToRestDb.size(); ++s)
                if (t.sectionVocalToRestDb[s] && flatSections[s]) {
                    const double c = *t.sectionVocalToRestDb[s] - *flatSections[s];
                    if (c < worst) worst = c, worstSection = sections[s].label;
                }
            t.vocalDisappears = worst < -kVocalLossDb;
            if (t.vocalDisappears)
                t.notes.push_back(
                    worstSection.empty()
                        ? formatText("%s the lead vocal drops %.1f dB against the band (%+.1f dB instead of "
                                     "%+.1f "
                                     "dB): it gets lost there.",
                                     where, -change, *t.vocalToRestDb, *flatOverall)
                        : formatText(
                              "%s the lead vocal drops %.1f dB against the band in the %s (%.1f dB over "
                              "the song): it gets lost there.",
                              where, -worst, worstSection.c_str(), -change));
            else
                t.notes.push_back(
                    formatText("%s the lead vocal sits %+.1f dB against the band (%+.1f dB on a flat "
                               "system, a change of %+.1f dB).",
                               where, *t.vocalToRestDb, *flatOverall, change));
        }
        if (t.integratedLufs && flatLufs && *flatLufs > -69.0 && *t.integratedLufs > -69.0)
            t.notes.push_back(formatText("%s the mix measures %.1f LUFS, %+.1f LU against a flat system.",
                                         where, *t.integratedLufs, *t.integratedLufs - *flatLufs));
        report.systems.push_back(std::move(t));
    }
    return report;
}

void addCodec(TranslationReport& report, const StereoBuffer* mix, int sampleRate, int bitrateKbps) {
    if (!mix) {
        report.codecSkipped = "no stereo mix in the folder";
        return;
    }
    if (!mp3CarriesSampleRate(sampleRate)) {
        report.codecSkipped = "MP3 cannot carry " + std::to_string(sampleRate) + " Hz";
        return;
    }
    const CodecPreview p =
        codecRoundTrip(mix->left.data(), mix->right.data(), static_cast<int64_t>(mix->frames()), sampleRate,
                       bitrateKbps, kCodecCeilingDbtp);
    report.codec = CodecFigures{bitrateKbps,    p.truePeakDbtp, p.inputTruePeakDbtp,
                                p.differenceDb, p.delayFrames,  p.exceedsCeiling};
}

// The codec round trip (LAME's encode is the slowest step) runs on its own thread beside the systems'
// measurements; its errors surface from get().
TranslationReport analyzeWithCodec(const StereoBuffer* mix, const StereoBuffer* vocal,
                                   const StereoBuffer& rest, int sampleRate,
                                   const std::vector<SongSection>& sections, int bitrateKbps) {
    auto codec = std::async(std::launch::async, [=] {
        TranslationReport r;
        addCodec(r, mix, sampleRate, bitrateKbps);
        return r;
    });
    TranslationReport report = analyzeBuffers(mix, vocal, rest, sampleRate, sections);
    TranslationReport withCodec = codec.get();
    report.codec = withCodec.codec;
    report.codecSkipped = withCodec.codecSkipped;
    return report;
}

} // namespace

TranslationReport analyzeTranslation(const LoadedAudio* mix, const std::vector<ElementStem>& stems,
                                     const std::vector<SongSection>& sections, int codecBitrateKbps) {
    if (!mix && stems.empty()) return {};
    const int fs = mix ? mix->info.sampleRate : stems.front().audio->info.sampleRate;
    const std::size_t frames = static_cast<std::size_t>(mix ? mix->frames() : stems.front().audio->frames());
    std::optional<StereoBuffer> mixBuffer, vocal;
    if (mix) {
        mixBuffer.emplace(frames);
        mixBuffer->add(*mix);
    }
    StereoBuffer rest(frames);
    for (const auto& s : stems) {
        if (s.role == StemRole::LeadVocal && !vocal) {
            vocal.emplace(frames);
            vocal->add(*s.audio);
        } else {
            rest.add(*s.audio);
        }
    }
    return analyzeWithCodec(mixBuffer ? &*mixBuffer : nullptr, vocal ? &*vocal : nullptr, rest, fs, sections,
                            codecBitrateKbps);
}

TranslationReport analyzeFolderTranslation(const FolderScan& scan, const std::vector<SongSection>& sections,
                                           int codecBitrateKbps) {
    std::optional<StereoBuffer> mix, vocal;
    std::optional<StereoBuffer> rest;
    int rate = 0;
    std::size_t frames = 0;
    if (scan.mix) {
        const LoadedAudio m = loadAudio(scan.mix->path);
        rate = m.info.sampleRate;
        frames = static_cast<std::size_t>(m.frames());
        mix.emplace(frames);
        mix->add(m);
    }
    for (const auto& s : scan.stems) {
        if (rate != 0 && s.info.sampleRate != rate) continue;
        const LoadedAudio a = loadAudio(s.path);
        if (rate == 0) rate = a.info.sampleRate, frames = static_cast<std::size_t>(a.frames());
        if (!rest) rest.emplace(frames);
        if (s.role == StemRole::LeadVocal && !vocal) {
            vocal.emplace(frames);
            vocal->add(a);
        } else {
            rest->add(a);
        }
    }
    if (rate == 0) return {};
    if (!rest) rest.emplace(frames);
    return analyzeWithCodec(mix ? &*mix : nullptr, vocal ? &*vocal : nullptr, *rest, rate, sections,
                            codecBitrateKbps);
}

nlohmann::json translationJson(const TranslationReport& report, const std::vector<SongSection>& sections) {
    const auto opt = [](const std::optional<double>& v) {
        return v ? nlohmann::json(std::round(*v * 100.0) / 100.0) : nlohmann::json();
    };
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : report.systems) {
        nlohmann::json perSection = nlohmann::json::array();
        for (std::size_t s = 0; s < sections.size() && s < t.sectionVocalToRestDb.size(); ++s)
            perSection.push_back({{"label", sections[s].label},
                                  {"start_seconds", sections[s].startSeconds},
                                  {"end_seconds", sections[s].endSeconds},
                                  {"vocal_to_rest_db", opt(t.sectionVocalToRestDb[s])}});
        out.push_back({{"system", dsp::playbackSystemName(t.system)},
                       {"vocal_to_rest_db", opt(t.vocalToRestDb)},
                       {"flat_vocal_to_rest_db", opt(t.flatVocalToRestDb)},
                       {"sections", perSection},
                       {"integrated_lufs", opt(t.integratedLufs)},
                       {"flat_integrated_lufs", opt(t.flatIntegratedLufs)},
                       {"vocal_disappears", t.vocalDisappears},
                       {"notes", t.notes}});
    }
    return out;
}

nlohmann::json codecJson(const TranslationReport& report) {
    if (!report.codec) return nullptr;
    const auto r2 = [](double v) { return std::round(v * 100.0) / 100.0; };
    const CodecFigures& c = *report.codec;
    return {{"format", "mp3"},
            {"bitrate_kbps", c.bitrateKbps},
            {"true_peak_dbtp", r2(c.truePeakDbtp)},
            {"input_true_peak_dbtp", r2(c.inputTruePeakDbtp)},
            {"difference_db", r2(c.differenceDb)},
            {"delay_frames", c.delayFrames},
            {"ceiling_dbtp", kCodecCeilingDbtp},
            {"exceeds_ceiling", c.exceedsCeiling}};
}

} // namespace lathe::core

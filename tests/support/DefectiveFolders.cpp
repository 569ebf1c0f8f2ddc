#include "DefectiveFolders.h"

#include "TestAudio.h"
#include "core/demo/DemoSynth.h"
#include "core/io/AudioFileReader.h"
#include "core/io/AudioFileWriter.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace lathe::test {

namespace {

constexpr int kWav24 = SF_FORMAT_WAV | SF_FORMAT_PCM_24;

PlanarAudio mp3RoundTrip(const PlanarAudio& audio, const std::string& scratch) {
    {
        core::WriterOptions o;
        o.format = core::OutputFormat::Mp3;
        o.sampleRate = kDefectSampleRate;
        o.channels = 2;
        o.mp3BitrateKbps = 128;
        core::AudioFileWriter writer(scratch, o);
        const float* channels[2] = {audio[0].data(), audio[1].data()};
        writer.write(channels, static_cast<int64_t>(audio[0].size()));
        writer.commit();
    }
    core::AudioFileReader reader(scratch);
    PlanarAudio out(2, std::vector<float>(audio[0].size(), 0.0f));
    std::vector<float> l(audio[0].size() + 8192), r(audio[0].size() + 8192);
    float* dest[2] = {l.data(), r.data()};
    int64_t total = 0;
    for (;;) {
        float* at[2] = {dest[0] + total, dest[1] + total};
        const int64_t got = reader.read(at, static_cast<int64_t>(l.size()) - total);
        if (got <= 0) break;
        total += got;
        if (total >= static_cast<int64_t>(l.size())) break;
    }
    for (std::size_t i = 0; i < out[0].size() && i < static_cast<std::size_t>(total); ++i) {
        out[0][i] = quantize(l[i], 24);
        out[1][i] = quantize(reader.info().channels > 1 ? r[i] : l[i], 24);
    }
    std::filesystem::remove(scratch);
    return out;
}

// A kick on every beat with hats on the eighths, and short 808 notes a fifth of a second long either on the
// kicks or halfway between them, both with their energy around 46-49 Hz and at about the same level there.
// Kept low enough that the re-summed mix stays under full scale.
void writeKickAnd808(const core::DemoResult& demo, bool alternating) {
    const PlanarAudio original = readTestAudio(demo.files[0]);
    const auto frames = static_cast<std::int64_t>(original[0].size());
    core::demo::Stereo drums(frames), bass(frames);
    core::demo::Rng rng(808);
    const double beat = 60.0 / kKick808Bpm;
    const double seconds = static_cast<double>(frames) / kDefectSampleRate;
    for (double t = 0.0; t + 0.05 < seconds; t += beat) {
        // Velocities vary by a few per cent, as played notes do (identical notes would all reach the stem's
        // peak, which the clipping check reads as flat tops).
        const double velocity = 1.0 + 0.06 * rng.bipolar();
        core::demo::addKick(drums, kDefectSampleRate, std::llround(t * kDefectSampleRate), 0.11 * velocity,
                            rng);
        core::demo::addHat(drums, kDefectSampleRate, std::llround(t * kDefectSampleRate), 0.1, false, rng);
        core::demo::addHat(drums, kDefectSampleRate, std::llround((t + beat / 2) * kDefectSampleRate), 0.07,
                           false, rng);
        const double at = alternating ? t + beat / 2 : t;
        core::demo::add808(bass, kDefectSampleRate,
                           {at, 0.2, 31.0, 31.5, 0.085 * (1.0 + 0.06 * rng.bipolar())});
    }
    const auto save = [](const core::demo::Stereo& s, const std::string& path) {
        PlanarAudio a{s.left, s.right};
        for (auto& c : a)
            for (float& x : c)
                x = quantize(x, 24);
        writeTestAudio(path, a, kDefectSampleRate, kWav24);
    };
    save(drums, demo.files[0]);
    save(bass, demo.files[1]);
    resumMix(demo.files);
}

} // namespace

void resumMix(const std::vector<std::string>& files) {
    PlanarAudio mix = readTestAudio(files[6]);
    for (auto& c : mix)
        std::fill(c.begin(), c.end(), 0.0f);
    for (std::size_t k = 0; k < 6; ++k) {
        const PlanarAudio stem = readTestAudio(files[k]);
        for (std::size_t c = 0; c < 2; ++c)
            for (std::size_t i = 0; i < mix[c].size() && i < stem[c].size(); ++i)
                mix[c][i] += stem[c][i];
    }
    // Stems are on the 24-bit grid and the sum stays below full scale, so it is exact; quantising only
    // documents that.
    for (auto& c : mix)
        for (float& x : c)
            x = quantize(x, 24);
    writeTestAudio(files[6], mix, kDefectSampleRate, kWav24);
}

void scaleSection(const std::string& path, double fromSeconds, double toSeconds, double gainDb) {
    PlanarAudio a = readTestAudio(path);
    const auto from = static_cast<std::size_t>(std::llround(fromSeconds * kDefectSampleRate));
    const auto to = static_cast<std::size_t>(std::llround(toSeconds * kDefectSampleRate));
    const double g = std::pow(10.0, gainDb / 20.0);
    for (auto& c : a)
        for (std::size_t i = from; i < std::min(to, c.size()); ++i)
            c[i] = quantize(c[i] * g, 24);
    writeTestAudio(path, a, kDefectSampleRate, kWav24);
}

void writeBassNoteLine(const std::vector<std::string>& files, double jumpDb) {
    const PlanarAudio original = readTestAudio(files[1]);
    const auto frames = static_cast<std::int64_t>(original[0].size());
    core::demo::Stereo bass(frames);
    core::demo::Rng rng(606);
    const double beat = 60.0 / kKick808Bpm;
    const double seconds = static_cast<double>(frames) / kDefectSampleRate;
    constexpr double kRoots[4] = {33.0, 29.0, 36.0, 31.0};
    int k = 0;
    for (double t = 0.0; t + beat <= seconds; t += beat, ++k) {
        const double midi = kRoots[(k / 2) % 4];
        const double jump = std::abs(t - kBassJumpSeconds) < 1e-9 ? std::pow(10.0, jumpDb / 20.0) : 1.0;
        core::demo::add808(bass, kDefectSampleRate,
                           {t, beat - 0.05, midi, midi + 0.5, 0.1 * jump * (1.0 + 0.04 * rng.bipolar())});
    }
    PlanarAudio a{bass.left, bass.right};
    for (auto& c : a)
        for (float& x : c)
            x = quantize(x, 24);
    writeTestAudio(files[1], a, kDefectSampleRate, kWav24);
    resumMix(files);
}

DefectiveFolder writeDefectiveFolder(const std::string& dir, Defect defect, std::uint32_t seed,
                                     double seconds) {
    core::DemoOptions options;
    options.seed = seed;
    options.seconds = seconds;
    options.sampleRate = kDefectSampleRate;
    const core::DemoResult demo = core::writeDemoFolder(dir, options);
    DefectiveFolder out{dir, core::demoLayout(options), {}, demo.files};
    const auto& f = demo.files;
    switch (defect) {
    case Defect::Clean:
        break;
    case Defect::StemShifted37: {
        PlanarAudio a = readTestAudio(f[0]);
        for (auto& c : a) {
            c.insert(c.begin(), 37, 0.0f);
            c.resize(c.size() - 37);
        }
        writeTestAudio(f[0], a, kDefectSampleRate, kWav24);
        out.affectedFile = f[0];
        break;
    }
    case Defect::StemOneSecondShort: {
        PlanarAudio a = readTestAudio(f[2]);
        for (auto& c : a)
            c.resize(c.size() - kDefectSampleRate);
        writeTestAudio(f[2], a, kDefectSampleRate, kWav24);
        out.affectedFile = f[2];
        break;
    }
    case Defect::MixedSampleRates: {
        const PlanarAudio a = readTestAudio(f[4]);
        writeTestAudio(f[4], a, 44100, kWav24);
        out.affectedFile = f[4];
        break;
    }
    case Defect::LimitedMix: {
        PlanarAudio a = readTestAudio(f[6]);
        const double drive = std::pow(10.0, 8.0 / 20.0), ceiling = std::pow(10.0, -1.0 / 20.0);
        for (auto& c : a)
            for (float& x : c)
                x = quantize(ceiling * std::tanh(drive * x / ceiling), 24);
        writeTestAudio(f[6], a, kDefectSampleRate, kWav24);
        out.affectedFile = f[6];
        break;
    }
    case Defect::VocalBuriedInHook: {
        scaleSection(f[3], out.layout.verseEnd, out.layout.hookEnd, -3.0);
        resumMix(demo.files);
        out.affectedFile = f[3];
        break;
    }
    case Defect::Mp3Stem: {
        const PlanarAudio a = readTestAudio(f[0]);
        writeTestAudio(f[0], mp3RoundTrip(a, dir + "/.roundtrip.mp3"), kDefectSampleRate, kWav24);
        out.affectedFile = f[0];
        break;
    }
    case Defect::PolarityFlippedStem: {
        PlanarAudio a = readTestAudio(f[3]);
        for (auto& c : a)
            for (float& x : c)
                x = -x;
        writeTestAudio(f[3], a, kDefectSampleRate, kWav24);
        out.affectedFile = f[3];
        break;
    }
    case Defect::ClippedVocal: {
        PlanarAudio a = readTestAudio(f[3]);
        float peak = 0.0f;
        for (const auto& c : a)
            for (float x : c)
                peak = std::max(peak, std::abs(x));
        for (auto& c : a)
            for (float& x : c)
                x = quantize(std::clamp(4.0f * x, -peak, peak), 24);
        writeTestAudio(f[3], a, kDefectSampleRate, kWav24);
        resumMix(demo.files);
        out.affectedFile = f[3];
        break;
    }
    case Defect::Kick808SameNotes:
    case Defect::Kick808Alternating:
        writeKickAnd808(demo, defect == Defect::Kick808Alternating);
        out.affectedFile = f[1];
        break;
    case Defect::BassNoteJump:
        writeBassNoteLine(demo.files, kBassJumpDb);
        out.affectedFile = f[1];
        break;
    case Defect::VocalLoudInVerse: {
        scaleSection(f[3], out.layout.introEnd, out.layout.verseEnd, kVocalVerseLiftDb);
        resumMix(demo.files);
        out.affectedFile = f[3];
        break;
    }
    }
    return out;
}

} // namespace lathe::test

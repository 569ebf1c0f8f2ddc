#include "LabelledFolders.h"

#include "DefectiveFolders.h"
#include "TestAudio.h"

#include "dsp/AudioBlock.h"
#include "dsp/TruePeakLimiter.h"

#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>

namespace lathe::test {

namespace {

constexpr int kWav24 = SF_FORMAT_WAV | SF_FORMAT_PCM_24;
const char* kMix = "Demo Song Mix.wav";
constexpr double kDemoVerseBehindHookDb = 2.5;
// The demo's synth pads sit this wide in the hook (side over mid, dB) once widened by 3 dB there.
constexpr double kSynthWideHookSideOverMidDb = 4.0;

void save(const std::string& path, PlanarAudio a, int rate = kDefectSampleRate) {
    for (auto& c : a)
        for (float& x : c) {
            if (std::abs(x) >= 1.0f) throw std::runtime_error(path + ": the edit would clip the file");
            x = quantize(x, 24);
        }
    writeTestAudio(path, a, rate, kWav24);
}

void scaleAll(const std::string& path, double gainDb) {
    scaleSection(path, 0.0, 1e9, gainDb);
}

// A stem resampled properly (libsoxr, very high quality): the same song, at another rate and frame count.
void resample(const std::string& path, int rate) {
    const PlanarAudio a = readTestAudio(path);
    PlanarAudio out(a.size());
    for (std::size_t c = 0; c < a.size(); ++c) {
        const auto frames = static_cast<std::size_t>(
            std::llround(static_cast<double>(a[c].size()) * rate / kDefectSampleRate));
        out[c].assign(frames, 0.0f);
        const soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
        const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
        std::size_t done = 0;
        if (soxr_oneshot(kDefectSampleRate, rate, 1, a[c].data(), a[c].size(), nullptr, out[c].data(), frames,
                         &done, &io, &q, nullptr))
            throw std::runtime_error("soxr failed");
    }
    save(path, out, rate);
}

// Drives the mix into the true-peak limiter at -1 dBTP so its loudest peak is pulled down by about
// reductionDb (its input gain puts the mix's sample peak that far over the ceiling), delay compensated.
void limitMix(const std::string& path, double reductionDb) {
    PlanarAudio a = readTestAudio(path);
    float peak = 0.0f;
    for (const auto& c : a)
        for (float x : c)
            peak = std::max(peak, std::abs(x));
    dsp::TruePeakLimiter limiter;
    limiter.setCeilingDbtp(-1.0);
    limiter.setReleaseMs(100.0);
    constexpr int kBlock = 512;
    limiter.prepare(kDefectSampleRate, kBlock, 2);
    limiter.setInputGainDb(reductionDb - 1.0 - 20.0 * std::log10(peak));
    limiter.reset();
    const std::size_t n = a[0].size(), latency = static_cast<std::size_t>(limiter.latencyFrames());
    PlanarAudio out(2, std::vector<float>(n, 0.0f));
    std::vector<float> l(kBlock), r(kBlock);
    for (std::size_t pos = 0; pos < n + latency; pos += kBlock) {
        for (std::size_t i = 0; i < kBlock; ++i) {
            l[i] = pos + i < n ? a[0][pos + i] : 0.0f;
            r[i] = pos + i < n ? a[1][pos + i] : 0.0f;
        }
        float* ch[2] = {l.data(), r.data()};
        limiter.process(dsp::AudioBlock(ch, 2, kBlock));
        for (std::size_t i = 0; i < kBlock; ++i)
            if (pos + i >= latency && pos + i - latency < n) {
                out[0][pos + i - latency] = l[i];
                out[1][pos + i - latency] = r[i];
            }
    }
    save(path, out);
}

// A hard clip: the file driven by driveDb into a ceiling at its old peak less ceilingDb.
void clip(const std::string& path, double driveDb, double ceilingBelowPeakDb) {
    PlanarAudio a = readTestAudio(path);
    float peak = 0.0f;
    for (const auto& c : a)
        for (float x : c)
            peak = std::max(peak, std::abs(x));
    const auto g = static_cast<float>(std::pow(10.0, driveDb / 20.0));
    const auto ceiling = static_cast<float>(peak * std::pow(10.0, -ceilingBelowPeakDb / 20.0));
    for (auto& c : a)
        for (float& x : c)
            x = std::clamp(g * x, -ceiling, ceiling);
    save(path, a);
}

// Reverb printed on a file: four parallel feedback combs (Schroeder's delays) and two all-passes, tuned to
// an RT60 of rt60 seconds, mixed in wetDb under the dry signal.
void addReverb(const std::string& path, double rt60, double wetDb) {
    PlanarAudio a = readTestAudio(path);
    const double fs = kDefectSampleRate, wet = std::pow(10.0, wetDb / 20.0);
    for (auto& c : a) {
        const std::vector<float> dry = c;
        std::vector<double> sum(dry.size(), 0.0);
        for (double ms : {29.7, 37.1, 41.1, 43.7}) {
            const auto d = static_cast<std::size_t>(ms * fs / 1000.0);
            const double feedback = std::pow(10.0, -3.0 * (ms / 1000.0) / rt60);
            std::vector<double> y(dry.size(), 0.0);
            for (std::size_t i = 0; i < dry.size(); ++i)
                y[i] = dry[i] + (i >= d ? feedback * y[i - d] : 0.0);
            for (std::size_t i = 0; i < dry.size(); ++i)
                sum[i] += 0.25 * y[i];
        }
        for (double ms : {5.0, 1.7}) {
            const auto d = static_cast<std::size_t>(ms * fs / 1000.0);
            std::vector<double> y(sum.size(), 0.0);
            for (std::size_t i = 0; i < sum.size(); ++i)
                y[i] = -0.7 * sum[i] + (i >= d ? sum[i - d] + 0.7 * y[i - d] : 0.0);
            sum = y;
        }
        for (std::size_t i = 0; i < c.size(); ++i)
            c[i] = static_cast<float>(dry[i] + wet * sum[i]);
    }
    save(path, a);
}

// A stereo widener printed on a file between two times: its side (L - R) / 2 raised by sideDb, its mid kept.
void widenSection(const std::string& path, double fromSeconds, double toSeconds, double sideDb) {
    PlanarAudio a = readTestAudio(path);
    const double g = std::pow(10.0, sideDb / 20.0);
    const auto from = static_cast<std::size_t>(fromSeconds * kDefectSampleRate);
    const auto to = std::min(a[0].size(), static_cast<std::size_t>(toSeconds * kDefectSampleRate));
    for (std::size_t i = from; i < to; ++i) {
        const double mid = 0.5 * (a[0][i] + a[1][i]), side = 0.5 * g * (a[0][i] - a[1][i]);
        a[0][i] = static_cast<float>(mid + side);
        a[1][i] = static_cast<float>(mid - side);
    }
    save(path, a);
}

using Writer = std::function<void(const DefectiveFolder&)>;

struct Entry {
    LabelledCase label;
    Defect base = Defect::Clean;
    std::uint32_t seed = 1;
    Writer edit;
    // A clean demo at another length or rate (the defects are all made at kDefectSeconds, kDefectSampleRate).
    double seconds = kDefectSeconds;
    int sampleRate = kDefectSampleRate;
    double editSeconds = kDefectSeconds; // the length of the demo an edit starts from
};

std::vector<Entry> entries() {
    const auto nan = NAN;
    std::vector<Entry> e;
    const auto add = [&](LabelledCase c, Defect base = Defect::Clean, Writer edit = {},
                         std::uint32_t seed = 1) {
        e.push_back({std::move(c), base, seed, std::move(edit)});
    };
    // Balanced mixes.
    add({"clean", "nothing", "stereo_mastering", "", "", nan, 0, {}});
    add({"clean_float", "nothing (every file 32-bit float)", "stereo_mastering", "", "", nan, 0, {}},
        Defect::Clean, [](const DefectiveFolder& f) {
            for (std::size_t k = 0; k < 7; ++k)
                writeTestAudio(f.files[k], readTestAudio(f.files[k]), kDefectSampleRate,
                               SF_FORMAT_WAV | SF_FORMAT_FLOAT);
        });
    e.push_back({{"clean_44k1", "nothing (every file at 44.1 kHz)", "stereo_mastering", "", "", nan, 0, {}},
                 Defect::Clean,
                 1,
                 {},
                 kDefectSeconds,
                 44100});
    add({"kick_808_alternating",
         "kick and 808 alternate (no conflict)",
         "stereo_mastering",
         "",
         "",
         nan,
         0,
         {"low_end_masking"},
         false}, // drums and bass both rewritten
        Defect::Kick808Alternating);
    add({"dc_offset_bass",
         "DC of -40 dBFS on the bass stem, mix re-summed",
         "stereo_mastering",
         "02_Bass_808.wav",
         "dc_offset",
         -40.0,
         1.0,
         {}},
        Defect::Clean, [](const DefectiveFolder& f) {
            PlanarAudio a = readTestAudio(f.files[1]);
            for (auto& c : a)
                for (float& x : c)
                    x += 0.01f;
            save(f.files[1], a);
            resumMix(f.files);
        });

    // Delivery faults: re-export.
    add({"stem_late_37",
         "drums 37 samples late",
         "fix_delivery",
         "01_Drums.wav",
         "stem_offset",
         37.0,
         0.0,
         {}},
        Defect::StemShifted37);
    add({"stem_short_1s", "music 1 s short", "fix_delivery", "03_Music.wav", "stem_length", -1.0, 1e-9, {}},
        Defect::StemOneSecondShort);
    add({"stem_44k1",
         "backing vocals resampled to 44.1 kHz (same length in seconds)",
         "fix_delivery",
         "05_BGV_Adlibs.wav",
         "sample_rate",
         44100.0,
         0.0,
         {"stem_length"}},
        Defect::Clean, [](const DefectiveFolder& f) { resample(f.files[4], 44100); });
    add({"polarity_vocal",
         "lead vocal polarity-flipped",
         "fix_delivery",
         "04_Lead_Vocal.wav",
         "polarity",
         nan,
         0,
         {}},
        Defect::PolarityFlippedStem);
    add({"mp3_drums",
         "drums through MP3 128 kb/s",
         "fix_delivery",
         "01_Drums.wav",
         "lossy_source",
         nan,
         0,
         {}},
        Defect::Mp3Stem);
    add({"missing_fx",
         "effects stem left out (the mix has it)",
         "fix_delivery",
         "",
         "missing_stem",
         nan,
         0,
         {}},
        Defect::Clean, [](const DefectiveFolder& f) { std::filesystem::remove(f.files[5]); });
    add({"extra_stem",
         "a synth stem that is not in the mix",
         "fix_delivery",
         "07_Synth_Lead.wav",
         "extra_stem",
         nan,
         0,
         {}},
        Defect::Clean, [](const DefectiveFolder& f) {
            save(f.folder + "/07_Synth_Lead.wav",
                 makeSine(2, static_cast<int64_t>(kDefectSeconds * kDefectSampleRate), kDefectSampleRate,
                          660.0, 0.05));
        });
    add({"silent_bgv",
         "backing vocals bounced silent (and not in the mix)",
         "fix_delivery",
         "05_BGV_Adlibs.wav",
         "silent_file",
         nan,
         0,
         {}},
        Defect::Clean, [](const DefectiveFolder& f) {
            PlanarAudio a = readTestAudio(f.files[4]);
            for (auto& c : a)
                std::fill(c.begin(), c.end(), 0.0f);
            save(f.files[4], a);
            resumMix(f.files);
        });
    add({"unreadable_fx",
         "effects stem is not audio inside",
         "fix_delivery",
         "06_FX_Returns.wav",
         "unusable_file",
         nan,
         0,
         {}},
        Defect::Clean,
        [](const DefectiveFolder& f) { writeBytes(f.files[5], "RIFF\x10\x00\x00\x00WAVEjunk"); });
    add({"vocal_stem_4db_low",
         "lead vocal stem 4 dB lower than in the mix",
         "fix_delivery",
         "04_Lead_Vocal.wav",
         "stem_gain",
         4.0,
         0.1,
         {"missing_stem"}},
        Defect::Clean, [](const DefectiveFolder& f) { scaleAll(f.files[3], -4.0); });
    add({"clipped_bass_stem",
         "bass stem clipped (+12 dB into its old peak), the mix clean",
         "fix_delivery",
         "02_Bass_808.wav",
         "clipped_stem",
         nan,
         0,
         {"printed_limiting", "printed_clipping"}},
        Defect::Clean, [](const DefectiveFolder& f) { clip(f.files[1], 12.0, 0.0); });

    // What stem mastering cannot fix: a mix revision.
    add({"clipped_vocal_in_mix",
         "lead vocal clipped at the source, the mix carries it",
         "mix_revision",
         "04_Lead_Vocal.wav",
         "clipping",
         nan,
         0,
         {}},
        Defect::ClippedVocal);
    add({"clipped_mix",
         "the mix hard-clipped 6 dB on its bus, the stems clean",
         "mix_revision",
         kMix,
         "printed_clipping",
         nan,
         0,
         {"clipped_stem"}},
        Defect::Clean, [](const DefectiveFolder& f) { clip(f.files[6], 6.0, 0.0); });
    add({"limited_mix_3db", "the mix limited 3 dB", "mix_revision", kMix, "printed_limiting", 3.0, 1.5, {}},
        Defect::Clean, [](const DefectiveFolder& f) { limitMix(f.files[6], 3.0); });
    add({"limited_mix_10db",
         "the mix limited 10 dB",
         "mix_revision",
         kMix,
         "printed_limiting",
         10.0,
         3.0,
         {}},
        Defect::Clean, [](const DefectiveFolder& f) { limitMix(f.files[6], 10.0); });
    add({"limited_mix_12db",
         "the mix pushed +12 dB into a limiter",
         "mix_revision",
         kMix,
         "printed_limiting",
         12.0,
         3.5,
         {}},
        Defect::Clean, [](const DefectiveFolder& f) { limitMix(f.files[6], 12.0); });
    add({"baked_reverb_vocal",
         "2 s of reverb printed on the lead vocal",
         "mix_revision",
         "04_Lead_Vocal.wav",
         "baked_reverb",
         nan,
         0,
         {}},
        Defect::Clean, [](const DefectiveFolder& f) {
            addReverb(f.files[3], 2.0, -6.0);
            resumMix(f.files);
        });
    add({"phase_vocal",
         "lead vocal's right channel inverted (L/R out of phase)",
         "mix_revision",
         "04_Lead_Vocal.wav",
         "phase",
         nan,
         0,
         {}},
        Defect::Clean, [](const DefectiveFolder& f) {
            PlanarAudio a = readTestAudio(f.files[3]);
            for (float& x : a[1])
                x = -x;
            save(f.files[3], a);
            resumMix(f.files);
        });

    // The seed's element problems at 1.5 dB (a nudge) and at 6 dB (a mix revision).
    for (double db : {1.5, 6.0}) {
        const std::string tag = db < 2.0 ? "1.5db" : "6db";
        const std::string verdict = db < 2.0 ? "stem_mastering" : "mix_revision";
        // The figure is the deficit against the hook's reference, which the demo's hook already sits about
        // 0-1.5 dB under.
        add({"vocal_buried_hook_" + tag,
             "lead vocal down in the hook",
             verdict,
             "04_Lead_Vocal.wav",
             "vocal_buried",
             db + 0.75,
             1.0,
             {}},
            Defect::Clean, [db](const DefectiveFolder& f) {
                scaleSection(f.files[3], f.layout.verseEnd, f.layout.hookEnd, -db);
                resumMix(f.files);
            });
        // The demo's verse vocal sits about 2.5 dB further back than its hook's: lifted by that and db, it
        // sits db further forward.
        add({"vocal_loud_verse_" + tag,
             "lead vocal up in the verse, db more forward than in the hook",
             verdict,
             "04_Lead_Vocal.wav",
             "vocal_loud",
             db,
             1.0,
             {}},
            Defect::Clean, [db](const DefectiveFolder& f) {
                scaleSection(f.files[3], f.layout.introEnd, f.layout.verseEnd, kDemoVerseBehindHookDb + db);
                resumMix(f.files);
            });
        // One note is a dynamic EQ band's (issue 16) at either size: stem mastering.
        add({"bass_note_" + tag,
             "one 808 note (the beat at 4 s) louder",
             "stem_mastering",
             "02_Bass_808.wav",
             "bass_note_jump",
             db,
             1.0, // the note against the verse's others, which it reads 0.4 dB over in the clean demo
             {}},
            Defect::Clean, [db](const DefectiveFolder& f) {
                scaleSection(f.files[1], kBassJumpSeconds, kBassJumpSeconds + 0.45, db);
                resumMix(f.files);
            });
    }
    // Issue 16's seed case: a stereo widener pushed on the synth bus in the hook, its side 3 dB up there (the
    // demo's pads already sit about as wide as they are centred).
    add({"synth_too_wide_hook",
         "music (synth) stem's side +3 dB in the hook (a widener), the mix re-summed",
         "stem_mastering",
         "03_Music.wav",
         "stem_too_wide",
         kSynthWideHookSideOverMidDb,
         1.0,
         {"phase"}},
        Defect::Clean, [](const DefectiveFolder& f) {
            widenSection(f.files[2], f.layout.verseEnd, f.layout.hookEnd, 3.0);
            resumMix(f.files);
        });
    add({"kick_808_same_notes",
         "808 on every kick at its level",
         "stem_mastering",
         "02_Bass_808.wav",
         "low_end_masking",
         nan,
         0,
         {},
         false}, // drums and bass both rewritten
        Defect::Kick808SameNotes);
    add({"bass_note_16db",
         "one 808 note 16 dB louder (nothing else changed)",
         "mix_revision",
         "02_Bass_808.wav",
         "bass_note_jump",
         16.0,
         1.0,
         {"vocal_buried", "vocal_loud"}},
        Defect::Clean, [](const DefectiveFolder& f) {
            scaleSection(f.files[1], kBassJumpSeconds, kBassJumpSeconds + 0.45, 16.0);
            resumMix(f.files);
        });
    add({"vocal_phrase_12db",
         "one lead vocal phrase in the hook 12 dB up (float files)",
         "mix_revision",
         "04_Lead_Vocal.wav",
         "limiter_drive",
         nan,
         0,
         {}},
        Defect::Clean, [](const DefectiveFolder& f) {
            // The hook's first phrase (a quarter bar of it), where the band already works the limiter. +12 dB
            // takes the vocal over full scale there, so the vocal and the mix are written as 32-bit float, as
            // a DAW bounces them unclipped.
            const double bar = 4.0 * 60.0 / f.layout.bpm;
            const double start = std::ceil(f.layout.verseEnd / bar) * bar;
            PlanarAudio a = readTestAudio(f.files[3]);
            const auto from = static_cast<std::size_t>(start * kDefectSampleRate);
            const auto to = static_cast<std::size_t>((start + 0.25 * bar) * kDefectSampleRate);
            for (auto& c : a)
                for (std::size_t i = from; i < to; ++i)
                    c[i] *= 3.981f; // +12 dB
            constexpr int kFloat = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
            writeTestAudio(f.files[3], a, kDefectSampleRate, kFloat);
            PlanarAudio mix(2, std::vector<float>(a[0].size(), 0.0f));
            for (std::size_t k = 0; k < 6; ++k) {
                const PlanarAudio stem = readTestAudio(f.files[k]);
                for (std::size_t c = 0; c < 2; ++c)
                    for (std::size_t i = 0; i < mix[c].size(); ++i)
                        mix[c][i] += stem[c][i];
            }
            writeTestAudio(f.files[6], mix, kDefectSampleRate, kFloat);
        });
    return e;
}

} // namespace

std::vector<LabelledCase> labelledCases() {
    std::vector<LabelledCase> out;
    for (const auto& e : entries())
        out.push_back(e.label);
    return out;
}

void writeLabelledCase(const std::string& dir, const LabelledCase& c) {
    for (const auto& e : entries())
        if (e.label.name == c.name) {
            if (e.seconds != kDefectSeconds || e.sampleRate != kDefectSampleRate) {
                core::DemoOptions options;
                options.seconds = e.seconds;
                options.sampleRate = e.sampleRate;
                options.seed = e.seed;
                std::filesystem::remove(core::writeDemoFolder(dir, options).files[7]);
                return;
            }
            const DefectiveFolder f = writeDefectiveFolder(dir, e.base, e.seed, e.editSeconds);
            if (e.edit) e.edit(f);
            std::filesystem::remove(f.files[7]); // the rough master reference plays no part here
            return;
        }
    throw std::runtime_error("no labelled case named " + c.name);
}

} // namespace lathe::test

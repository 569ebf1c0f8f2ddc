#include "core/demo/DemoFolder.h"

#include "core/Error.h"
#include "core/demo/DemoSynth.h"
#include "core/io/AudioFileWriter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <numbers>

namespace lathe::core {

using demo::Rng;
using demo::Stereo;
using demo::VocalNote;
using demo::Vowel;

namespace {

enum class Section { Intro, Verse, Hook, Outro };

constexpr double kMixPeakDbfs = -4.0;

Section sectionAt(const DemoLayout& layout, double t) {
    if (t < layout.introEnd) return Section::Intro;
    if (t < layout.verseEnd) return Section::Verse;
    if (t < layout.hookEnd) return Section::Hook;
    return Section::Outro;
}

// i - VI - III - VII in A minor, one chord a bar: pad voicing around middle C and the 808 root an octave or
// two down.
struct Chord {
    std::vector<int> pad;
    int bassMidi;
    std::array<int, 3> toneDegrees; // chord tones as A-minor scale degrees (0 = A), for the melody to land on
};
const std::array<Chord, 4> kProgression{{
    {{45, 57, 60, 64}, 33, {0, 2, 4}}, // Am
    {{41, 57, 60, 65}, 29, {5, 0, 2}}, // F
    {{48, 55, 60, 64}, 36, {2, 4, 6}}, // C
    {{43, 55, 59, 62}, 31, {6, 1, 3}}, // G
}};

int degreeToMidi(int degree) {
    static constexpr std::array<int, 7> kMinorScale{0, 2, 3, 5, 7, 8, 10};
    const int octave = degree >= 0 ? degree / 7 : -((6 - degree) / 7);
    return 57 + 12 * octave + kMinorScale[static_cast<std::size_t>(degree - 7 * octave)];
}

struct Song {
    DemoLayout layout;
    double sampleRate;
    std::int64_t frames;
    double beat() const { return 60.0 / layout.bpm; }
    double bar() const { return 4.0 * beat(); }
    int bars() const { return static_cast<int>(std::ceil(layout.end / bar())); }
    const Chord& chordAt(double t) const {
        return kProgression[static_cast<std::size_t>(static_cast<int>(t / bar()) % 4)];
    }
};

Stereo renderDrums(const Song& song, Rng& rng, std::vector<double>& kickTimes) {
    static constexpr std::array<double, 4> kKickGain{0.6, 0.75, 0.95, 0.8}; // by Section
    Stereo out(song.frames);
    const double sixteenth = song.beat() / 4.0;
    const double swing = 0.28 * sixteenth; // late off-beat sixteenths: the lazy hip-hop feel
    for (int bar = 0; bar < song.bars(); ++bar) {
        for (int step = 0; step < 16; ++step) {
            const double t =
                bar * song.bar() + step * sixteenth + (step % 2 ? swing : 0.0) + 0.003 * rng.bipolar();
            if (t >= song.layout.end) continue;
            const Section section = sectionAt(song.layout, bar * song.bar() + step * sixteenth);
            const std::int64_t at = std::max<std::int64_t>(0, std::llround(t * song.sampleRate));
            const double vel = 1.0 + 0.08 * rng.bipolar();
            bool kick = false, snare = false, hat = false, openHat = false;
            double hatGain = 0.12;
            switch (section) {
            case Section::Intro:
                kick = step == 0;
                hat = step % 4 == 0;
                hatGain = 0.08;
                break;
            case Section::Verse:
                kick = step == 0 || step == 10 || (step == 7 && rng.chance(0.5));
                snare = step == 4 || step == 12;
                hat = step % 2 == 0 || (step == 11 && rng.chance(0.4));
                break;
            case Section::Hook:
                kick = step == 0 || step == 6 || step == 10 || (step == 14 && rng.chance(0.5));
                snare = step == 4 || step == 12 || (step == 15 && rng.chance(0.3));
                hat = true;
                openHat = step == 14;
                hatGain = step % 2 ? 0.09 : 0.15;
                break;
            case Section::Outro:
                kick = step == 0 || step == 8;
                hat = step % 2 == 0;
                break;
            }
            if (kick) {
                demo::addKick(out, song.sampleRate, at, kKickGain[static_cast<std::size_t>(section)] * vel,
                              rng);
                if (section == Section::Verse || section == Section::Hook) kickTimes.push_back(t);
            }
            if (snare) demo::addSnare(out, song.sampleRate, at, (step == 15 ? 0.25 : 0.6) * vel, rng);
            if (hat) demo::addHat(out, song.sampleRate, at, hatGain * vel, openHat, rng);
        }
    }
    return out;
}

// The 808 plays on the kicks (so the two read as one low-end event) and holds until the next one, sliding
// into each bar's new root and now and then dropping from the octave above.
Stereo renderBass(const Song& song, Rng& rng, const std::vector<double>& kickTimes) {
    Stereo out(song.frames);
    double previousMidi = -1.0;
    for (std::size_t k = 0; k < kickTimes.size(); ++k) {
        const double t = kickTimes[k];
        // Kicks are humanised by a few ms either side of the grid, so look just past them for section and
        // chord.
        const Section section = sectionAt(song.layout, t + 0.01);
        const double sectionEnd = section == Section::Verse ? song.layout.verseEnd : song.layout.hookEnd;
        const double until = k + 1 < kickTimes.size() ? std::min(kickTimes[k + 1], sectionEnd) : sectionEnd;
        const double midi = song.chordAt(t + 0.01).bassMidi;
        double from = midi + 0.5;
        if (previousMidi >= 0.0 && previousMidi != midi)
            from = previousMidi;
        else if (rng.chance(0.2))
            from = midi + 12.0;
        const double gain = section == Section::Hook ? 0.37 : 0.3;
        demo::add808(out, song.sampleRate, {t, std::max(0.05, until - t - 0.01), midi, from, gain});
        previousMidi = midi;
    }
    // One long note to carry the outro's first bar.
    const double outro = song.layout.hookEnd;
    const double midi = song.chordAt(outro + 0.01).bassMidi;
    demo::add808(out, song.sampleRate,
                 {outro, song.bar(), midi, previousMidi >= 0 ? previousMidi : midi, 0.3});
    return out;
}

Stereo renderMusic(const Song& song, Rng& rng) {
    Stereo out(song.frames);
    for (int bar = 0; bar < song.bars(); ++bar) {
        const double t = bar * song.bar();
        const Section section = sectionAt(song.layout, t);
        std::vector<int> notes = song.chordAt(t).pad;
        if (section == Section::Hook)
            notes.push_back(notes.back() + 12); // the top voice an octave up makes the hook open up
        static constexpr std::array<double, 4> kGain{0.05, 0.07, 0.1, 0.07};
        demo::addPadChord(out, song.sampleRate, t, song.bar(), notes,
                          kGain[static_cast<std::size_t>(section)], rng);
    }
    const DemoLayout& l = song.layout;
    demo::lowPassSweep(out, song.sampleRate, [&l](double t) {
        switch (sectionAt(l, t)) {
        case Section::Intro:
            return 600.0 + 900.0 * t / l.introEnd;
        case Section::Verse:
            return 1600.0;
        case Section::Hook:
            return 3200.0;
        case Section::Outro:
            break;
        }
        return 1500.0 * std::pow(0.3, (t - l.hookEnd) / std::max(1e-3, l.end - l.hookEnd));
    });
    return out;
}

// A bar's sung line on an eighth-note grid, a random walk in the scale that lands on a chord tone, leaving
// the last eighth (or more) free to breathe.
void addPhrase(const Song& song, double barStart, Section section, Rng& rng, int& degree,
               std::vector<VocalNote>& notes, std::vector<int>& degrees) {
    static constexpr std::array<std::array<std::pair<int, int>, 5>, 4> kRhythms{{
        {{{0, 1}, {1, 1}, {2, 2}, {4, 1}, {5, 2}}},
        {{{1, 1}, {2, 1}, {3, 1}, {4, 3}, {0, 0}}},
        {{{0, 2}, {2, 1}, {3, 1}, {4, 2}, {0, 0}}},
        {{{0, 2}, {2, 2}, {4, 3}, {0, 0}, {0, 0}}},
    }};
    const bool hook = section == Section::Hook;
    const int low = hook ? 2 : 0, high = hook ? 10 : 7;
    const auto& rhythm = kRhythms[static_cast<std::size_t>(hook ? 2 + rng.below(2) : rng.below(3))];
    const double eighth = song.beat() / 2.0;
    const Chord& chord = song.chordAt(barStart + 0.01);
    static constexpr std::array<int, 7> kSteps{-2, -1, -1, 0, 1, 1, 2};
    static constexpr std::array<Vowel, 6> kVowelChoice{Vowel::A, Vowel::A, Vowel::O,
                                                       Vowel::E, Vowel::I, Vowel::U};
    for (std::size_t k = 0; k < rhythm.size() && rhythm[k].second > 0; ++k) {
        degree += kSteps[static_cast<std::size_t>(rng.below(7))];
        if (degree < low || degree > high)
            degree = std::clamp(2 * (degree < low ? low : high) - degree, low, high);
        const bool last = k + 1 == rhythm.size() || rhythm[k + 1].second == 0;
        if (last) {
            int best = degree, bestDistance = 100;
            for (int d = low; d <= high; ++d) {
                const bool chordTone = std::find(chord.toneDegrees.begin(), chord.toneDegrees.end(), d % 7) !=
                                       chord.toneDegrees.end();
                if (chordTone && std::abs(d - degree) < bestDistance) {
                    best = d;
                    bestDistance = std::abs(d - degree);
                }
            }
            degree = best;
        }
        const Vowel vowel =
            hook && rng.chance(0.5) ? Vowel::A : kVowelChoice[static_cast<std::size_t>(rng.below(6))];
        notes.push_back({barStart + rhythm[k].first * eighth, rhythm[k].second * eighth - 0.04,
                         static_cast<double>(degreeToMidi(degree)), vowel, hook ? 1.75 : 0.85});
        degrees.push_back(degree);
    }
}

struct Vocals {
    Stereo lead, backing;
};

Vocals renderVocals(const Song& song, Rng& rng, std::vector<double>& phraseEnds) {
    std::vector<VocalNote> lead, upper, lower, adlibLeft, adlibRight;
    std::vector<int> degrees; // the lead's scale degrees, so harmonies can move in diatonic thirds
    int degree = 4;
    for (int bar = 0; bar < song.bars(); ++bar) {
        const double t = bar * song.bar();
        const Section section = sectionAt(song.layout, t);
        if (section != Section::Verse && section != Section::Hook) continue;
        if (t + song.bar() > song.layout.hookEnd + 1e-9 && section == Section::Hook)
            continue; // leave the hook's last bar (if it spills into the outro) to the instruments
        const std::size_t first = lead.size();
        addPhrase(song, t, section, rng, degree, lead, degrees);
        phraseEnds.push_back(lead.back().startSeconds + lead.back().lengthSeconds);
        if (section != Section::Hook) continue;
        // Diatonic thirds above and below, softer vowels, a touch late: stacked harmonies, not a clone.
        for (std::size_t k = first; k < lead.size(); ++k) {
            const VocalNote& n = lead[k];
            upper.push_back({n.startSeconds + 0.012, n.lengthSeconds, double(degreeToMidi(degrees[k] + 2)),
                             Vowel::O, 0.9});
            lower.push_back({n.startSeconds + 0.02, n.lengthSeconds, double(degreeToMidi(degrees[k] - 2)),
                             Vowel::U, 0.9});
        }
    }
    const double verseTail = song.layout.verseEnd - song.beat();
    if (verseTail > song.layout.introEnd)
        adlibLeft.push_back({verseTail, 0.75 * song.beat(), double(degreeToMidi(9)), Vowel::O, 0.7});
    if (song.layout.hookEnd + 1.5 * song.beat() < song.layout.end)
        adlibRight.push_back(
            {song.layout.hookEnd + song.beat() / 2, song.beat(), double(degreeToMidi(7)), Vowel::A, 0.7});

    Vocals v{Stereo(song.frames), Stereo(song.frames)};
    const auto leadMono = demo::renderVoice(lead, song.sampleRate, song.frames, rng);
    const auto mix = [&](const std::vector<VocalNote>& notes, double left, double right, Stereo& into) {
        const auto mono = demo::renderVoice(notes, song.sampleRate, song.frames, rng);
        for (std::size_t i = 0; i < mono.size(); ++i) {
            into.left[i] += static_cast<float>(left * mono[i]);
            into.right[i] += static_cast<float>(right * mono[i]);
        }
    };
    for (std::size_t i = 0; i < leadMono.size(); ++i)
        v.lead.left[i] = v.lead.right[i] = 1.25f * leadMono[i];
    mix(upper, 1.0, 0.33, v.backing);
    mix(lower, 0.33, 1.0, v.backing);
    mix(adlibLeft, 1.0, 0.25, v.backing);
    mix(adlibRight, 0.25, 1.0, v.backing);
    return v;
}

Stereo renderFx(const Song& song, Rng& rng, const std::vector<double>& phraseEnds) {
    Stereo out(song.frames);
    const double sr = song.sampleRate;
    const double riserLength = std::min(song.bar(), 0.4 * (song.layout.verseEnd - song.layout.introEnd));
    demo::addRiser(out, sr, song.layout.verseEnd - riserLength, riserLength, 1.0, rng);
    demo::addNoiseTail(out, sr, song.layout.verseEnd, 1.5, 200.0, 6000.0, 0.6, rng); // the hook's impact
    demo::addNoiseTail(out, sr, song.layout.hookEnd, 2.0, 300.0, 3000.0, 0.4, rng);
    for (std::size_t k = 1; k < phraseEnds.size(); k += 2) // reverb throws on every other vocal phrase end
        demo::addNoiseTail(out, sr, phraseEnds[k], 0.6, 500.0, 5000.0, 0.3, rng);
    return out;
}

float onGrid24(double x) {
    constexpr double kScale = 8388608.0; // 2^23
    // Round half away from zero by truncation: std::round is a libm call per sample and was a tenth of the
    // run time.
    const double k = std::clamp(x * kScale, -kScale, kScale - 1.0);
    return static_cast<float>(static_cast<double>(static_cast<std::int64_t>(k + (k >= 0.0 ? 0.5 : -0.5))) /
                              kScale);
}

void quantise(Stereo& s) {
    for (auto* channel : {&s.left, &s.right})
        for (float& x : *channel)
            x = onGrid24(x);
}

// The client's own "loud" bounce: +7 dB into an instant-attack peak limiter that lets 3 dB through, then a
// tanh soft clipper under a -0.3 dBFS ceiling that flattens what is left. Denser and louder, and audibly a
// bit squashed.
class RoughMaster {
public:
    explicit RoughMaster(double sampleRate) : release_(1.0 - std::exp(-1.0 / (0.08 * sampleRate))) {}
    void process(double& left, double& right) {
        const double l = kDrive * left, r = kDrive * right;
        const double peak = std::max(std::abs(l), std::abs(r));
        gain_ += (1.0 - gain_) * release_;
        if (peak * gain_ > kThreshold) gain_ = kThreshold / peak;
        left = kCeiling * std::tanh(gain_ * l / kCeiling);
        right = kCeiling * std::tanh(gain_ * r / kCeiling);
    }

private:
    static constexpr double kDrive = 2.2387, kThreshold = 1.4, kCeiling = 0.9661; // +7 dB; -0.3 dBFS
    double release_, gain_ = 1.0;
};

WriterOptions wavOptions(int sampleRate, const std::string& title) {
    WriterOptions options;
    options.format = OutputFormat::Wav24;
    options.sampleRate = sampleRate;
    options.channels = 2;
    options.title = title;
    options.artist = "Lathe demo";
    return options;
}

void writeWav(const std::string& path, const Stereo& audio, const WriterOptions& options) {
    AudioFileWriter writer(path, options);
    const float* channels[2] = {audio.left.data(), audio.right.data()};
    writer.write(channels, audio.frames());
    writer.commit();
}

} // namespace

DemoLayout demoLayout(const DemoOptions& options) {
    DemoLayout l;
    const double beat = 60.0 / l.bpm;
    const double s = options.seconds;
    const auto onBeat = [beat](double t) { return std::max(beat, std::round(t / beat) * beat); };
    l.end = s;
    l.introEnd = std::min(onBeat(s * 4.0 / 30.0), s);
    l.verseEnd = std::min(std::max(onBeat(s * 14.0 / 30.0), l.introEnd + beat), s);
    l.hookEnd = std::min(std::max(onBeat(s * 24.0 / 30.0), l.verseEnd + beat), s);
    return l;
}

DemoResult writeDemoFolder(const std::string& outDir, const DemoOptions& options) {
    // The stems are held whole in memory: 600 s at 48 kHz is about 1.4 GB (the benchmark uses 240 s).
    if (!(options.seconds >= 5.0 && options.seconds <= 600.0))
        throw Error(outDir, "the demo song must be between 5 and 600 seconds long");
    if (options.sampleRate < 22050 || options.sampleRate > 96000)
        throw Error(outDir, "the demo sample rate must be between 22050 and 96000 Hz");
    if (options.songName.empty() || options.songName.find('/') != std::string::npos)
        throw Error(outDir, "the demo song name must be non-empty and contain no '/'");

    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(outDir, ec))) {
        if (!std::filesystem::is_directory(outDir, ec)) throw Error(outDir, "exists and is not a folder");
        std::filesystem::directory_iterator entries(outDir, ec);
        if (ec) throw Error(outDir, "cannot read this folder: " + ec.message());
        if (entries != std::filesystem::directory_iterator() && !options.force) {
            const std::string first = entries->path().filename().string();
            const bool more = entries.increment(ec) != std::filesystem::directory_iterator();
            throw Error(outDir,
                        "is not empty (it holds " + first + (more ? " and more" : "") +
                            "); the demo writes a new client folder and never replaces files. Choose a "
                            "new or empty folder, or add --force to write its eight files into this one");
        }
    }
    std::filesystem::create_directories(outDir, ec);
    if (ec || !std::filesystem::is_directory(outDir))
        throw Error(outDir, "cannot create the demo folder" + (ec ? ": " + ec.message() : std::string()));

    Song song{demoLayout(options), static_cast<double>(options.sampleRate),
              std::llround(options.seconds * options.sampleRate)};
    // Each part draws from its own stream, so changing one instrument does not reshuffle the others.
    const auto stream = [&](std::uint64_t part) {
        return Rng(options.seed * 0x100000001B3ull + part * 7919u);
    };
    Rng drumRng = stream(1), bassRng = stream(2), musicRng = stream(3), vocalRng = stream(4),
        fxRng = stream(5);

    std::vector<double> kickTimes, phraseEnds;
    std::array<Stereo, 6> stems{renderDrums(song, drumRng, kickTimes),
                                renderBass(song, bassRng, kickTimes),
                                renderMusic(song, musicRng),
                                Stereo(0),
                                Stereo(0),
                                Stereo(0)};
    Vocals vocals = renderVocals(song, vocalRng, phraseEnds);
    stems[3] = std::move(vocals.lead);
    stems[4] = std::move(vocals.backing);
    stems[5] = renderFx(song, fxRng, phraseEnds);

    // Fade the outro's second half on every stem alike, then scale all stems by one gain so the mix peaks
    // where an unmastered mix should; the mix is then their float sum, so it stays exactly their sum.
    const double fadeStart = song.layout.hookEnd + 0.3 * (song.layout.end - song.layout.hookEnd);
    const std::int64_t fadeFrom = std::llround(fadeStart * song.sampleRate);
    const double fadeFrames = std::max<double>(1.0, static_cast<double>(song.frames - fadeFrom));
    for (std::int64_t i = std::max<std::int64_t>(0, fadeFrom); i < song.frames; ++i) {
        const double x = static_cast<double>(i - fadeFrom) / fadeFrames;
        const auto g = static_cast<float>(0.5 * (1.0 + std::cos(std::numbers::pi * x)));
        for (auto& stem : stems) {
            stem.left[static_cast<std::size_t>(i)] *= g;
            stem.right[static_cast<std::size_t>(i)] *= g;
        }
    }
    const auto sumAt = [&stems](std::size_t i, bool left) {
        double sum = 0.0;
        for (const auto& stem : stems)
            sum += left ? stem.left[i] : stem.right[i];
        return sum;
    };
    double peak = 0.0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(song.frames); ++i)
        peak = std::max({peak, std::abs(sumAt(i, true)), std::abs(sumAt(i, false))});
    const auto scale = static_cast<float>(std::pow(10.0, kMixPeakDbfs / 20.0) / std::max(peak, 1e-9));
    for (auto& stem : stems)
        for (auto* channel : {&stem.left, &stem.right})
            for (float& x : *channel)
                x *= scale;

    static constexpr std::array<const char*, 6> kStemNames{"01_Drums.wav",      "02_Bass_808.wav",
                                                           "03_Music.wav",      "04_Lead_Vocal.wav",
                                                           "05_BGV_Adlibs.wav", "06_FX_Returns.wav"};
    const std::filesystem::path dir(outDir);
    const WriterOptions wav = wavOptions(options.sampleRate, options.songName);
    DemoResult result{outDir, {}};
    for (const char* name : kStemNames)
        result.files.push_back((dir / name).string());
    result.files.push_back((dir / (options.songName + " Mix.wav")).string());
    result.files.push_back((dir / (options.songName + " - Rough Master REF.wav")).string());

    // Stems are put on the 24-bit grid first and the mix is their exact sum (a sum of grid values is on the
    // grid while it stays below full scale), so the delivered stems null against the printed mix perfectly,
    // as a careful mix engineer's would.
    for (auto& stem : stems)
        quantise(stem);
    // Mix and reference are made and written a chunk at a time, so only the stems are ever held whole.
    {
        AudioFileWriter mixWriter(result.files[6], wav), referenceWriter(result.files[7], wav);
        RoughMaster master(song.sampleRate);
        constexpr std::int64_t kChunk = 16384;
        Stereo mix(kChunk), reference(kChunk);
        for (std::int64_t start = 0; start < song.frames; start += kChunk) {
            const std::int64_t n = std::min(kChunk, song.frames - start);
            for (std::int64_t j = 0; j < n; ++j) {
                const auto i = static_cast<std::size_t>(start + j), k = static_cast<std::size_t>(j);
                double l = onGrid24(sumAt(i, true)), r = onGrid24(sumAt(i, false));
                mix.left[k] = static_cast<float>(l);
                mix.right[k] = static_cast<float>(r);
                master.process(l, r);
                reference.left[k] = onGrid24(l);
                reference.right[k] = onGrid24(r);
            }
            const float* mixChannels[2] = {mix.left.data(), mix.right.data()};
            const float* referenceChannels[2] = {reference.left.data(), reference.right.data()};
            mixWriter.write(mixChannels, n);
            referenceWriter.write(referenceChannels, n);
        }
        mixWriter.commit();
        referenceWriter.commit();
    }
    for (std::size_t k = 0; k < stems.size(); ++k)
        writeWav(result.files[k], stems[k], wav);
    return result;
}

} // namespace lathe::core

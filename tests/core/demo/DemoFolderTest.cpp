#include "core/demo/DemoFolder.h"
#include "core/Error.h"

#include <ebur128.h>
#include <fftw3.h>
#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <numbers>
#include <string>
#include <vector>

using namespace lathe::core;
namespace fs = std::filesystem;

namespace {

constexpr int kRate = 48000;
constexpr double kSeconds = 30.0;
const std::vector<std::string> kStemNames{"01_Drums.wav",      "02_Bass_808.wav",   "03_Music.wav",
                                          "04_Lead_Vocal.wav", "05_BGV_Adlibs.wav", "06_FX_Returns.wav"};
const std::string kMixName = "Demo Song Mix.wav";
const std::string kReferenceName = "Demo Song - Rough Master REF.wav";

struct Audio {
    int sampleRate = 0, channels = 0, format = 0;
    std::int64_t frames = 0;
    std::vector<double> left, right;
};

Audio readWav(const std::string& path) {
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    if (!f) throw std::runtime_error("cannot open " + path);
    Audio a{info.samplerate, info.channels, info.format, info.frames, {}, {}};
    std::vector<double> interleaved(static_cast<std::size_t>(info.frames * info.channels));
    // Normalised double reads of PCM_24 are exact: k / 2^23.
    sf_readf_double(f, interleaved.data(), info.frames);
    sf_close(f);
    a.left.reserve(static_cast<std::size_t>(info.frames));
    a.right.reserve(static_cast<std::size_t>(info.frames));
    for (std::int64_t i = 0; i < info.frames; ++i) {
        a.left.push_back(interleaved[static_cast<std::size_t>(i * info.channels)]);
        a.right.push_back(interleaved[static_cast<std::size_t>(i * info.channels + info.channels - 1)]);
    }
    return a;
}

std::string fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::string bytes(static_cast<std::size_t>(in.tellg()), '\0');
    in.seekg(0);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return bytes;
}

double db(double ratio) {
    return 10.0 * std::log10(std::max(ratio, 1e-30));
}

// Mean square of both channels over [from, to) seconds.
double meanSquare(const Audio& a, double from = 0.0, double to = 1e9) {
    const auto begin = static_cast<std::size_t>(std::clamp<double>(from * a.sampleRate, 0, a.frames));
    const auto end = static_cast<std::size_t>(std::clamp<double>(to * a.sampleRate, 0, a.frames));
    double sum = 0.0;
    for (std::size_t i = begin; i < end; ++i)
        sum += a.left[i] * a.left[i] + a.right[i] * a.right[i];
    return end > begin ? sum / (2.0 * static_cast<double>(end - begin)) : 0.0;
}

double peakDbfs(const Audio& a) {
    double peak = 0.0;
    for (std::size_t i = 0; i < a.left.size(); ++i)
        peak = std::max({peak, std::abs(a.left[i]), std::abs(a.right[i])});
    return 20.0 * std::log10(std::max(peak, 1e-30));
}

// Welch power spectrum (Hann, 4096 points, both channels): an independent look at where a stem's energy sits.
struct Spectrum {
    std::vector<double> power;
    double binHz;
    double fraction(double lowHz, double highHz) const {
        double inside = 0.0, total = 0.0;
        for (std::size_t k = 1; k < power.size(); ++k) {
            total += power[k];
            const double f = static_cast<double>(k) * binHz;
            if (f >= lowHz && f < highHz) inside += power[k];
        }
        return inside / total;
    }
};

Spectrum spectrum(const Audio& a) {
    constexpr int kN = 4096;
    std::vector<float> in(kN), window(kN);
    std::vector<fftwf_complex> out(kN / 2 + 1);
    fftwf_plan plan = fftwf_plan_dft_r2c_1d(kN, in.data(), out.data(), FFTW_ESTIMATE);
    for (int i = 0; i < kN; ++i)
        window[static_cast<std::size_t>(i)] =
            static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * i / kN));
    Spectrum s{std::vector<double>(kN / 2 + 1), static_cast<double>(a.sampleRate) / kN};
    for (const auto* channel : {&a.left, &a.right}) {
        for (std::size_t start = 0; start + kN <= channel->size(); start += kN / 2) {
            for (std::size_t i = 0; i < kN; ++i)
                in[i] = static_cast<float>((*channel)[start + i]) * window[i];
            fftwf_execute(plan);
            for (std::size_t k = 0; k < out.size(); ++k)
                s.power[k] += double(out[k][0]) * out[k][0] + double(out[k][1]) * out[k][1];
        }
    }
    fftwf_destroy_plan(plan);
    return s;
}

double integratedLufs(const Audio& a) {
    ebur128_state* st = ebur128_init(2, static_cast<unsigned long>(a.sampleRate), EBUR128_MODE_I);
    std::vector<double> interleaved;
    for (std::size_t i = 0; i < a.left.size(); ++i) {
        interleaved.push_back(a.left[i]);
        interleaved.push_back(a.right[i]);
    }
    ebur128_add_frames_double(st, interleaved.data(), a.left.size());
    double lufs = 0.0;
    ebur128_loudness_global(st, &lufs);
    ebur128_destroy(&st);
    return lufs;
}

class DemoFolderTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = fs::temp_directory_path() / ("lathe-demo-test-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        // A nested, not yet existing path: writeDemoFolder must create the parents.
        result_ = writeDemoFolder((root_ / "nested" / "seed1").string(), DemoOptions{});
        for (const auto& path : result_.files)
            audio_[fs::path(path).filename().string()] = readWav(path);
    }
    static void TearDownTestSuite() { fs::remove_all(root_); }

    static const Audio& file(const std::string& name) { return audio_.at(name); }

    static fs::path root_;
    static DemoResult result_;
    static std::map<std::string, Audio> audio_;
};

fs::path DemoFolderTest::root_;
DemoResult DemoFolderTest::result_;
std::map<std::string, Audio> DemoFolderTest::audio_;

} // namespace

TEST_F(DemoFolderTest, WritesEightIdenticallyShapedTwentyFourBitStereoWavs) {
    std::vector<std::string> expected = kStemNames;
    expected.push_back(kMixName);
    expected.push_back(kReferenceName);
    ASSERT_EQ(result_.files.size(), expected.size());
    EXPECT_EQ(fs::path(result_.folder), root_ / "nested" / "seed1");
    for (std::size_t k = 0; k < expected.size(); ++k) {
        EXPECT_EQ(fs::path(result_.files[k]).filename().string(), expected[k]);
        ASSERT_TRUE(fs::is_regular_file(result_.files[k])) << result_.files[k];
        const Audio& a = file(expected[k]);
        EXPECT_EQ(a.format, SF_FORMAT_WAV | SF_FORMAT_PCM_24) << expected[k];
        EXPECT_EQ(a.channels, 2) << expected[k];
        EXPECT_EQ(a.sampleRate, kRate) << expected[k];
        EXPECT_EQ(a.frames, std::llround(kSeconds * kRate)) << expected[k];
    }
    // Nothing but the eight files (no temp files left behind).
    EXPECT_EQ(std::distance(fs::directory_iterator(result_.folder), fs::directory_iterator{}), 8);
}

TEST_F(DemoFolderTest, StemsSumExactlyToTheMix) {
    // The stems are on the 24-bit grid and the mix is their exact sum: a perfect null, sample for sample.
    const Audio& mix = file(kMixName);
    double worst = 0.0;
    for (std::size_t i = 0; i < mix.left.size(); ++i) {
        double l = 0.0, r = 0.0;
        for (const auto& name : kStemNames) {
            l += file(name).left[i];
            r += file(name).right[i];
        }
        worst = std::max({worst, std::abs(mix.left[i] - l), std::abs(mix.right[i] - r)});
    }
    EXPECT_EQ(worst, 0.0);
}

TEST_F(DemoFolderTest, MixIsAnUnmasteredLevel) {
    const Audio& mix = file(kMixName);
    const double peak = peakDbfs(mix), lufs = integratedLufs(mix);
    std::printf("mix peak %.2f dBFS, integrated %.1f LUFS\n", peak, lufs);
    EXPECT_GE(peak, -6.0);
    EXPECT_LE(peak, -3.0);
    EXPECT_GE(lufs, -21.0);
    EXPECT_LE(lufs, -15.0);
}

TEST_F(DemoFolderTest, EveryStemSoundsLikeItsRole) {
    for (const auto& name : kStemNames)
        EXPECT_GT(db(meanSquare(file(name))), -50.0) << name << " is (nearly) silent";

    const Spectrum drums = spectrum(file("01_Drums.wav")), bass = spectrum(file("02_Bass_808.wav"));
    const Spectrum music = spectrum(file("03_Music.wav")), lead = spectrum(file("04_Lead_Vocal.wav"));
    const Spectrum bgv = spectrum(file("05_BGV_Adlibs.wav"));
    std::printf(
        "drums <200 %.3f >5k %.4f | bass <200 %.3f | music <5k %.3f | lead 200-4k %.3f | bgv 200-4k %.3f\n",
        drums.fraction(0, 200), drums.fraction(5000, 1e9), bass.fraction(0, 200), music.fraction(0, 5000),
        lead.fraction(200, 4000), bgv.fraction(200, 4000));
    EXPECT_GT(drums.fraction(0, 200), 0.3);     // kicks
    EXPECT_GT(drums.fraction(5000, 1e9), 1e-3); // hats: within 30 dB of the whole kit
    EXPECT_GT(bass.fraction(0, 200), 0.8);
    EXPECT_GT(music.fraction(0, 5000), 0.95); // low-passed pads
    EXPECT_GT(lead.fraction(200, 4000), 0.8);
    EXPECT_GT(bgv.fraction(200, 4000), 0.8);
}

TEST_F(DemoFolderTest, StereoPlacementMatchesTheRoles) {
    const auto sideToMid = [](const Audio& a) {
        double mid = 0.0, side = 0.0;
        for (std::size_t i = 0; i < a.left.size(); ++i) {
            mid += std::pow(a.left[i] + a.right[i], 2);
            side += std::pow(a.left[i] - a.right[i], 2);
        }
        return db(side / mid);
    };
    EXPECT_LT(sideToMid(file("04_Lead_Vocal.wav")), -40.0); // centred
    EXPECT_LT(sideToMid(file("02_Bass_808.wav")), -40.0);
    EXPECT_GT(sideToMid(file("03_Music.wav")), -15.0);      // wide pads
    EXPECT_GT(sideToMid(file("05_BGV_Adlibs.wav")), -10.0); // harmonies panned apart
    // Backing vocals sit under the lead.
    EXPECT_LT(
        db(meanSquare(file("05_BGV_Adlibs.wav"), 14, 24) / meanSquare(file("04_Lead_Vocal.wav"), 14, 24)),
        -3.0);
}

TEST_F(DemoFolderTest, SectionsFollowTheLayout) {
    // The brief's layout at 30 s: intro 0-4, verse 4-14, hook 14-24, outro 24-30; windows keep clear of the
    // edges.
    const Audio& mix = file(kMixName);
    const double verse = meanSquare(mix, 5, 13), hook = meanSquare(mix, 15, 23);
    std::printf("hook - verse %.2f dB\n", db(hook / verse));
    EXPECT_GE(db(hook / verse), 2.0);
    EXPECT_LT(db(meanSquare(mix, 0.5, 3.5) / verse), 0.0); // sparse intro
    EXPECT_LT(db(meanSquare(mix, 29, 30) / verse), -20.0); // faded out
    // Backing vocals belong to the hook, and the lead leaves gaps between phrases.
    const Audio& bgv = file("05_BGV_Adlibs.wav");
    EXPECT_GT(db(meanSquare(bgv, 14, 24) / meanSquare(bgv, 4, 12)), 20.0);
    const Audio& lead = file("04_Lead_Vocal.wav");
    int silentTenths = 0;
    for (double t = 4.0; t < 24.0; t += 0.1)
        silentTenths += meanSquare(lead, t, t + 0.1) < 1e-7 ? 1 : 0;
    EXPECT_GE(silentTenths, 10);
    // The riser builds in the verse's last bar.
    const Audio& fx = file("06_FX_Returns.wav");
    EXPECT_GT(db(meanSquare(fx, 13, 14) / meanSquare(fx, 5, 7)), 6.0);
}

TEST_F(DemoFolderTest, ReferenceIsLouderAndUnderFullScale) {
    const Audio& mix = file(kMixName);
    const Audio& reference = file(kReferenceName);
    const double louder = db(meanSquare(reference) / meanSquare(mix));
    std::printf("reference +%.2f dB RMS, peak %.2f dBFS, %.1f LUFS\n", louder, peakDbfs(reference),
                integratedLufs(reference));
    EXPECT_GE(louder, 4.0);
    EXPECT_LE(peakDbfs(reference), 0.0);
    EXPECT_LT(peakDbfs(reference), -0.1); // not clamped at full scale either
}

TEST_F(DemoFolderTest, SameSeedSameBytesOtherSeedOtherAudio) {
    const auto again = writeDemoFolder((root_ / "again").string(), DemoOptions{});
    DemoOptions other;
    other.seed = 2;
    const auto different = writeDemoFolder((root_ / "seed2").string(), other);
    ASSERT_EQ(again.files.size(), result_.files.size());
    ASSERT_EQ(different.files.size(), result_.files.size());
    for (std::size_t k = 0; k < result_.files.size(); ++k) {
        const std::string original = fileBytes(result_.files[k]);
        EXPECT_EQ(fileBytes(again.files[k]), original) << result_.files[k];
        EXPECT_NE(fileBytes(different.files[k]), original) << result_.files[k];
    }
}

TEST_F(DemoFolderTest, HonoursRateLengthAndName) {
    DemoOptions o;
    o.seconds = 7.5;
    o.sampleRate = 44100;
    o.songName = "Tiny";
    const auto r = writeDemoFolder((root_ / "tiny").string(), o);
    ASSERT_EQ(r.files.size(), 8u);
    EXPECT_EQ(fs::path(r.files[6]).filename(), "Tiny Mix.wav");
    EXPECT_EQ(fs::path(r.files[7]).filename(), "Tiny - Rough Master REF.wav");
    for (const auto& path : r.files) {
        const Audio a = readWav(path);
        EXPECT_EQ(a.sampleRate, 44100);
        EXPECT_EQ(a.frames, std::llround(7.5 * 44100));
    }
    EXPECT_LE(peakDbfs(readWav(r.files[6])), -3.0);
}

TEST_F(DemoFolderTest, RejectsBadOptionsAndUnusableFolders) {
    DemoOptions shortSong;
    shortSong.seconds = 1.0;
    EXPECT_THROW(writeDemoFolder((root_ / "bad").string(), shortSong), Error);
    DemoOptions badRate;
    badRate.sampleRate = 0;
    EXPECT_THROW(writeDemoFolder((root_ / "bad").string(), badRate), Error);
    // A regular file where the folder should be.
    const fs::path blocker = root_ / "blocker";
    std::ofstream(blocker) << "x";
    try {
        writeDemoFolder((blocker / "demo").string(), DemoOptions{});
        FAIL() << "expected Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.path(), (blocker / "demo").string());
    }
}

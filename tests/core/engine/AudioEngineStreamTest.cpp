// The engine streams its sources from disk (core/engine/DiskReader): what it plays must be the whole-file
// decode, sample for sample, from the top and after a seek, without the callback ever allocating or waiting.

#include "core/demo/DemoFolder.h"
#include "core/engine/AudioEngine.h"
#include "core/engine/DiskReader.h"
#include "core/engine/DiskSource.h"
#include "core/engine/EngineGraph.h"
#include "core/model/DeliverableSpec.h"
#include "core/model/SessionSource.h"
#include "support/AudioProbe.h"
#include "support/EngineCapture.h"
#include "support/MallocCounter.h"
#include "support/TestAudio.h"

#include <sndfile.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

namespace lathe::core {
namespace {

using test::LoadedAudio;

class AudioEngineStreamTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        DemoOptions o;
        o.seconds = 8;
        o.sampleRate = 48000;
        writeDemoFolder(dir_->file("song"), o);
        session_ = new Session(openSessionOrFolder(dir_->file("song")));
        mix_ = new engine::Track(engine::decode(session_->mix, 48000));
    }
    static void TearDownTestSuite() {
        delete mix_;
        delete session_;
        delete dir_;
    }
    static inline test::TempDir* dir_ = nullptr;
    static inline Session* session_ = nullptr;
    static inline engine::Track* mix_ = nullptr;

    // Counts frames where the capture, from `from` on, differs from the mix decoded whole starting at song
    // frame `songFrame` (the mix plays latency frames behind the song position).
    static int64_t mismatches(const LoadedAudio& got, int64_t from, int64_t songFrame) {
        int64_t bad = 0;
        for (int64_t k = from; k < static_cast<int64_t>(got.channels[0].size()); ++k) {
            const auto at = static_cast<size_t>(songFrame + (k - from));
            const auto i = static_cast<size_t>(k);
            if (got.channels[0][i] != mix_->l[at] || got.channels[1][i] != mix_->r[at]) ++bad;
        }
        return bad;
    }
};

TEST_F(AudioEngineStreamTest, PlaysTheWholeFileDecodeSampleExactlyFromTheTopAndAfterASeek) {
    AudioEngine engine;
    engine.load(*session_);
    ASSERT_TRUE(engine.measured());
    engine.setSource(MonitorSource::Mix);
    const int latency = engine.latencyFrames();
    engine.play();
    // From the top the mix plays as it is (no fade), latency frames late so every source is heard together.
    // 3 s: more than a ring holds at the start, so the reader refilled while it played.
    const int64_t frames = 3 * 48000;
    const LoadedAudio top = test::captureEngine(engine, frames, 256);
    for (int64_t k = 0; k < latency; ++k)
        ASSERT_EQ(top.channels[0][static_cast<size_t>(k)], 0.0f);
    EXPECT_EQ(mismatches(top, latency, 0), 0);
    double energy = 0;
    for (float v : top.channels[0])
        energy += static_cast<double>(v) * v;
    EXPECT_GT(energy, 1.0);

    // A seek while playing: the old position fades out, the new one fades in (kDeclickFrames = 128) and plays
    // through the history delay; past those, the frames are the file's from the seek on.
    const int64_t seekTo = 5 * 48000 + 123;
    engine.seek(seekTo);
    const LoadedAudio after = test::captureEngine(engine, 48000, 256);
    // Where the seek landed: the first frame after the fade-out whose song frame is seekTo. Found from the
    // position the engine reports, which is seekTo plus what it played since.
    const int64_t playedSinceSeek = engine.position() - seekTo;
    const int64_t landed = static_cast<int64_t>(after.channels[0].size()) - playedSinceSeek;
    ASSERT_GE(landed, 0);
    ASSERT_LE(landed, 1024) << "the seek lands within a few blocks (the fade-out)";
    const int64_t settled = landed + latency + 128;
    EXPECT_EQ(mismatches(after, settled, seekTo + 128), 0);
    EXPECT_EQ(engine.stats().diskUnderruns, 0);
}

TEST_F(AudioEngineStreamTest, SeekNeverBlocksTheCallbackItHoldsSilenceUntilTheReaderRefilled) {
    AudioEngine engine;
    engine.load(*session_, {}, AudioEngine::LoadMode::Playable);
    engine.setSource(MonitorSource::Mix);
    engine.play();
    std::vector<float> l(256), r(256);
    engine.processForTest(l.data(), r.data(), 256, false);

    // Far beyond what the ring holds: the reader must seek its files. The disk does not answer at first (the
    // reader is held): a callback that waited for it would never return and the test would time out. A wall
    // clock bound would say the same only on a quiet machine.
    const int64_t seekTo = 4 * 48000;
    engine.holdDiskForTest(true);
    engine.seek(seekTo);
    long allocations = 0;
    int heldBlocks = 0;
    double energyAfter = 0;
    const int kHeld = 100;
    for (int i = 0; i < 500; ++i) {
        if (i == kHeld) engine.holdDiskForTest(false);
        const int64_t before = engine.position();
        test::armMallocCounter();
        engine.processForTest(l.data(), r.data(), 256, false);
        allocations += test::disarmMallocCounter();
        double e = 0;
        for (float v : l)
            e += static_cast<double>(v) * v;
        // (The first block holds the fade-out of where playback was.)
        if (i > 0 && engine.position() == before && before == seekTo) {
            ++heldBlocks;
            EXPECT_EQ(e, 0.0) << "held blocks are silent";
        }
        if (engine.position() > seekTo) energyAfter += e;
        std::this_thread::sleep_for(std::chrono::microseconds(500)); // a device's period, roughly
    }
    EXPECT_EQ(allocations, 0);
    EXPECT_GE(heldBlocks, kHeld - 1)
        << "while the disk does not answer every block returns, silent, in place";
    EXPECT_GT(engine.position(), seekTo + 48000) << "playback went on after the refill";
    EXPECT_GT(energyAfter, 1.0);
    EXPECT_EQ(engine.stats().diskUnderruns, 0) << "waiting after a seek is not an underrun";
    std::printf("held %d blocks after the seek\n", heldBlocks);
}

TEST_F(AudioEngineStreamTest, PlayableBeforeMeasuredAndMeasuredFiguresMatchABlockingLoad) {
    AudioEngine blocking;
    blocking.load(*session_);
    AudioEngine streaming;
    streaming.load(*session_, {}, AudioEngine::LoadMode::Playable);
    // Playable at once: the mix plays while the measuring thread works.
    streaming.setSource(MonitorSource::Mix);
    streaming.play();
    const LoadedAudio top = test::captureEngine(streaming, 4800, 256);
    EXPECT_EQ(mismatches(top, streaming.latencyFrames(), 0), 0);
    for (int i = 0; i < 3000 && !streaming.measured(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(streaming.measured());
    // The codec preview is made in the background (measured() does not wait for it); once it is, every
    // figure and match gain is the blocking load's, whichever of the two threads finished last.
    ASSERT_TRUE(streaming.waitForCodecPreview(60.0));
    streaming.setLoudnessMatch(true);
    blocking.setLoudnessMatch(true);
    for (int i = 0; i < kMonitorSourceCount; ++i) {
        const auto s = static_cast<MonitorSource>(i);
        EXPECT_EQ(streaming.sourceAvailable(s), blocking.sourceAvailable(s)) << monitorSourceName(s);
        EXPECT_EQ(streaming.sourceIntegratedLufs(s), blocking.sourceIntegratedLufs(s))
            << monitorSourceName(s);
        EXPECT_EQ(streaming.sourceTruePeakDbtp(s), blocking.sourceTruePeakDbtp(s)) << monitorSourceName(s);
        EXPECT_EQ(streaming.monitorGainDb(s), blocking.monitorGainDb(s)) << monitorSourceName(s);
    }
    EXPECT_TRUE(streaming.sourceAvailable(MonitorSource::Codec));
    EXPECT_LT(blocking.monitorGainDb(MonitorSource::StereoMaster), 0.0)
        << "the masters are louder than the mix";
    EXPECT_GT(streaming.sourceIntegratedLufs(MonitorSource::StereoMaster), -70.0);
}

// ThreadSanitizer keeps shadow memory for what the program touches (several bytes per byte), so the bound
// on memory growth scales under it; 4 x 64 MB still fails a whole-file decode (~690 MB for 30 minutes).
#if defined(__SANITIZE_THREAD__)
constexpr double kGrowthLimitMb = 4 * 64.0;
#else
constexpr double kGrowthLimitMb = 64.0;
#endif

// Resident memory now (VmRSS), in MiB.
double residentMb() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) return 0;
    char line[256];
    double kb = 0;
    while (std::fgets(line, sizeof line, f) != nullptr)
        if (std::sscanf(line, "VmRSS: %lf kB", &kb) == 1) break;
    std::fclose(f);
    return kb / 1024.0;
}

// Position-unique 16-bit noise: frame n of source `salt` (decodes to exactly value / 32768).
int16_t noiseAt(int64_t n, uint32_t salt) {
    return static_cast<int16_t>(((static_cast<uint32_t>(n) + salt) * 2654435761u) >> 16);
}

void writeNoise(const std::string& path, int64_t frames, int rate, uint32_t salt) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(f, nullptr);
    std::vector<int16_t> block(65536);
    for (int64_t done = 0; done < frames;) {
        const int64_t n = std::min<int64_t>(65536, frames - done);
        for (int64_t k = 0; k < n; ++k)
            block[static_cast<size_t>(k)] = noiseAt(done + k, salt);
        ASSERT_EQ(sf_writef_short(f, block.data(), n), n);
        done += n;
    }
    sf_close(f);
}

// A long song at 8 kHz (small files): `stems` noise stems and a noise mix (salt 7), `frames` long.
Session longNoiseSong(const test::TempDir& dir, int64_t frames, int stems) {
    constexpr int kRate = 8000;
    Session s;
    s.folder = dir.path();
    s.song = "Long";
    s.sample_rate = kRate;
    for (int i = 0; i < stems; ++i) {
        StemSettings stem;
        stem.id = "stem" + std::to_string(i);
        stem.path = dir.file(stem.id + ".wav");
        writeNoise(stem.path, frames, kRate, 1000u * static_cast<uint32_t>(i + 1));
        s.stems.push_back(stem);
    }
    s.mix = dir.file("mix.wav");
    writeNoise(s.mix, frames, kRate, 7u);
    return s;
}

// A 30-minute song (two stems and a mix; 8 kHz keeps the files small) plays with memory that does not grow
// with its length, and a seek to minute 29 plays the file's frames from there.
TEST(AudioEngineLongStreamTest, ThirtyMinutesPlayMinute29AfterASeekWithBoundedMemory) {
    test::TempDir dir;
    constexpr int kRate = 8000;
    constexpr int64_t kFrames = int64_t{30} * 60 * kRate;
    const Session s = longNoiseSong(dir, kFrames, 2);
    const double before = residentMb();
    AudioEngine engine;
    engine.load(s, {}, AudioEngine::LoadMode::Playable);
    ASSERT_EQ(engine.length(), kFrames);
    engine.setSource(MonitorSource::Mix);
    const int64_t minute29 = int64_t{29} * 60 * kRate;
    engine.seek(minute29);
    engine.play();
    const LoadedAudio got = test::captureEngine(engine, 2 * kRate, 256);
    // Where the seek landed (the first block after a seek from a stop is silent and plays again).
    const int64_t landed = 2 * kRate - (engine.position() - minute29);
    ASSERT_GE(landed, 0);
    ASSERT_LE(landed, 512);
    // From the seek the mix fades in over 128 frames and comes latency frames late.
    const int64_t settled = landed + engine.latencyFrames() + 128;
    int64_t bad = 0;
    for (int64_t k = settled; k < 2 * kRate; ++k) {
        const float want =
            static_cast<float>(noiseAt(minute29 + k - landed - engine.latencyFrames(), 7u)) / 32768.0f;
        if (got.channels[0][static_cast<size_t>(k)] != want ||
            got.channels[1][static_cast<size_t>(k)] != want)
            ++bad;
    }
    EXPECT_EQ(bad, 0);
    // Decoded whole, the three sources would take 30 * 60 * 8000 * 8 bytes each: 330 MiB.
    EXPECT_LT(residentMb() - before, kGrowthLimitMb);
}

// The codec preview is streamed too (issue 22): a song over 12 minutes (which got none while the round trip
// was made in memory) gets one, it plays from disk after a seek near its end, and memory stays bounded.
TEST(AudioEngineLongStreamTest, ASongOverTwelveMinutesGetsACodecPreviewInBoundedMemory) {
    test::TempDir dir;
    constexpr int kRate = 8000;
    constexpr int64_t kFrames = int64_t{13} * 60 * kRate;
    const Session s = longNoiseSong(dir, kFrames, 1);
    const double before = residentMb();
    AudioEngine engine;
    engine.setCodecPreview(parseDeliverableSpec("vorbis:4")); // carries 8 kHz: no resampling to wait for
    engine.load(s);
    ASSERT_TRUE(engine.measured());
    ASSERT_TRUE(engine.sourceAvailable(MonitorSource::Codec)) << engine.takeError();
    EXPECT_GT(engine.sourceIntegratedLufs(MonitorSource::Codec), -70.0);
    engine.setSource(MonitorSource::Codec);
    engine.seek(kFrames - 30 * kRate);
    engine.play();
    const LoadedAudio got = test::captureEngine(engine, kRate, 256);
    double energy = 0;
    for (size_t k = kRate / 2; k < got.channels[0].size(); ++k)
        energy += static_cast<double>(got.channels[0][k]) * got.channels[0][k];
    EXPECT_GT(energy, 1.0) << "the preview plays from disk after a seek";
    // In memory the round trip held 16 bytes a frame while made: 100 MiB here.
    EXPECT_LT(residentMb() - before, kGrowthLimitMb);
}

// A source at another rate is converted once (libsoxr) into a temporary file and read from it; one at the
// rate is read in place. Either way any frame read is the whole-file decode's.
TEST(DiskSourceTest, ReadsAnyFrameAsTheWholeFileDecodeNativeOrResampled) {
    test::TempDir dir;
    const auto sine = test::makeSine(2, 44100 * 3, 44100, 997.0, 0.5);
    const std::string at441 = dir.file("a.wav");
    test::writeTestAudio(at441, sine, 44100, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    const auto mono = test::makeSine(1, 48000 * 2, 48000, 440.0, 0.5);
    const std::string at48 = dir.file("m.wav");
    test::writeTestAudio(at48, mono, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    for (const std::string& path : {at441, at48}) {
        const engine::Track whole = engine::decode(path, 48000);
        engine::DiskSource source(path, 48000);
        EXPECT_EQ(source.frames(), whole.frames());
        EXPECT_EQ(source.converted(), path == at441);
        auto other = source.reopen();
        std::vector<float> l(5000), r(5000), el(5000), er(5000);
        // Out of order, across the ends, and sequential runs.
        const int64_t positions[] = {-100,  0,           4900, 9800, 60000, 1000, whole.frames() - 2000,
                                     77777, 77777 + 5000};
        for (const int64_t pos : positions) {
            source.read(pos, l.data(), r.data(), 5000);
            whole.read(pos, el.data(), er.data(), 5000);
            EXPECT_EQ(l, el) << path << " at " << pos;
            EXPECT_EQ(r, er) << path << " at " << pos;
            other->read(pos, l.data(), r.data(), 5000);
            EXPECT_EQ(l, el) << path << " reopened, at " << pos;
        }
    }
}

// A source to convert is opened at once: its conversion runs on a thread of its own (issue 22: a long lossy
// or resampled song held the first sound back for seconds), and a read of frames not converted yet waits for
// them, so what is read is the whole-file decode wherever it is read first.
TEST(DiskSourceTest, ConvertsInTheBackgroundAndAReadAheadOfItWaits) {
    test::TempDir dir;
    const std::string path = dir.file("long44.wav");
    const int64_t frames = int64_t{44100} * 120;
    test::writeTestAudio(path, test::makeSine(2, frames, 44100, 997.0, 0.5), 44100,
                         SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    engine::DiskSource source(path, 48000);
    ASSERT_TRUE(source.converted());
    // Two minutes take far longer to resample than opening takes: still converting.
    EXPECT_LT(source.convertedFrames(), source.frames());
    const engine::Track whole = engine::decode(path, 48000);
    ASSERT_EQ(source.frames(), whole.frames());
    std::vector<float> l(4096), r(4096), el(4096), er(4096);
    // The end first (waits for the conversion to reach it), from a reopened reader too, then the start.
    auto other = source.reopen();
    for (const int64_t pos : {whole.frames() - 3000, int64_t{0}, int64_t{48000} * 60}) {
        whole.read(pos, el.data(), er.data(), 4096);
        other->read(pos, l.data(), r.data(), 4096);
        EXPECT_EQ(l, el) << pos;
        EXPECT_EQ(r, er) << pos;
        source.read(pos, l.data(), r.data(), 4096);
        EXPECT_EQ(l, el) << pos;
    }
    EXPECT_EQ(source.convertedFrames(), source.frames());
}

// A source dropped while converting stops its conversion (the thread is joined, nothing left behind).
TEST(DiskSourceTest, ADroppedSourceStopsItsConversion) {
    test::TempDir dir;
    const std::string path = dir.file("long44.wav");
    test::writeTestAudio(path, test::makeSine(2, int64_t{44100} * 120, 44100, 440.0, 0.5), 44100,
                         SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    const auto start = std::chrono::steady_clock::now();
    int64_t converted = 0, frames = 0;
    {
        engine::DiskSource source(path, 48000);
        frames = source.frames();
        converted = source.convertedFrames();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(converted, frames);
    std::printf("opened and dropped in %.3f s\n", seconds);
}

// The codec preview's reader cannot hold the play head while it refills (the codec may not be heard): a
// consumer that asks for a frame inside a chunk already read enters it there, rather than chasing the head.
TEST(DiskReaderTest, AConsumerAheadOfTheHeadEntersTheChunkThatHoldsIt) {
    test::TempDir dir;
    const std::string path = dir.file("noise.wav");
    const auto sine = test::makeSine(2, 48000, 48000, 997.0, 0.5);
    test::writeTestAudio(path, sine, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    const engine::Track whole = engine::decode(path, 48000);
    engine::DiskReader reader;
    std::vector<std::unique_ptr<engine::DiskSource>> sources;
    sources.push_back(std::make_unique<engine::DiskSource>(path, 48000));
    reader.start(std::move(sources), 0);
    ASSERT_TRUE(reader.waitReady(0, 10.0));
    // Frame 1000 lies in the first chunk (0..8191): served from there, not refilled.
    const int ready = reader.ready(1000, 256);
    ASSERT_EQ(ready, 256);
    std::vector<float> l(256), r(256), el(256), er(256);
    reader.read(0, l.data(), r.data(), 256);
    reader.consume(256);
    whole.read(1000, el.data(), er.data(), 256);
    EXPECT_EQ(l, el);
    EXPECT_EQ(r, er);
    // Behind the head (already consumed) is not served from the ring: it is asked for again.
    EXPECT_EQ(reader.ready(500, 256), 0);
    ASSERT_TRUE(reader.waitReady(500, 10.0));
    reader.read(0, l.data(), r.data(), std::min(256, reader.ready(500, 256)));
    whole.read(500, el.data(), er.data(), 256);
    EXPECT_EQ(l, el);
}

} // namespace
} // namespace lathe::core

#pragma once

// What the engine processes, and with what: the sources' current block, the history the plain sources are
// delayed through, and the graph of chains the audio thread runs. Internal to core/engine
// (AudioEngineImpl.h).

#include "core/chain/MasterChain.h"
#include "core/chain/StemChain.h"
#include "core/engine/AudioEngine.h"
#include "core/model/Session.h"

#include "dsp/AudioBlock.h"
#include "dsp/MatchFilter.h"
#include "dsp/PlaybackSimulation.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lathe::core::engine {

constexpr int kMaxBlock = 2048;

struct Track {
    std::vector<float> l, r;
    int64_t frames() const { return static_cast<int64_t>(l.size()); }
    // Copies [pos, pos+n) with silence outside the track.
    void read(int64_t pos, float* dl, float* dr, int n) const {
        // [begin, end) of the n frames lies inside the track; silence before and after it.
        const int64_t begin = std::clamp<int64_t>(-pos, 0, n);
        const int64_t end = std::clamp<int64_t>(frames() - pos, begin, n);
        std::fill(dl, dl + begin, 0.0f);
        std::fill(dr, dr + begin, 0.0f);
        // Only form the source pointer when it is inside the track: pos may lie far before or after it.
        if (end > begin) {
            std::copy_n(l.data() + pos + begin, end - begin, dl + begin);
            std::copy_n(r.data() + pos + begin, end - begin, dr + begin);
        }
        std::fill(dl + end, dl + n, 0.0f);
        std::fill(dr + end, dr + n, 0.0f);
    }
};

// A whole source decoded at `rate` (SourceStream: resampled, mono made centred stereo): what the streamed
// source must equal. Not RT safe.
Track decode(const std::string& path, int rate);

// What was fed to the masters and the plain sources, indexed by a running count of frames processed (not
// the song position, so seeks and loops read as the continuous stream the chains saw). It serves the
// latency-aligned plain sources (a delay line) and warms up a master chain that was idle (see primeMaster).
// Storage is allocated on the control thread; frames before validFrom read as silence.
struct History {
    enum { SumL, SumR, MixL, MixR, RefL, RefR, kChannels };
    std::vector<float> ch[kChannels];
    // The song frame read from the sources at each t: what the master automation reads for a frame that
    // left the stem chains' latency or the history late (seeks and loops make it differ from t).
    std::vector<int64_t> position;
    int64_t mask = 0;
    int64_t validFrom = 0;
    void prepare(int minFrames) {
        int64_t size = 1;
        while (size < minFrames)
            size <<= 1;
        mask = size - 1;
        for (auto& c : ch)
            c.assign(static_cast<size_t>(size), 0.0f);
        position.assign(static_cast<size_t>(size), 0);
    }
    void writePosition(int64_t t, int64_t pos, int n) {
        for (int k = 0; k < n; ++k)
            position[static_cast<size_t>((t + k) & mask)] = pos + k;
    }
    // Before validFrom (silence) the frames count back from the first valid one.
    int64_t positionAt(int64_t t) const {
        if (t >= validFrom) return position[static_cast<size_t>(t & mask)];
        return position[static_cast<size_t>(validFrom & mask)] - (validFrom - t);
    }
    // Copies run in at most two pieces, split where the ring wraps.
    void write(int c, int64_t t, const float* src, int n) {
        float* d = ch[c].data();
        const int64_t at = t & mask;
        const int64_t first = std::min<int64_t>(n, mask + 1 - at);
        std::copy_n(src, first, d + at);
        std::copy_n(src + first, n - first, d);
    }
    void read(int c, int64_t t, float* dst, int n) const {
        const float* s = ch[c].data();
        const int silent = static_cast<int>(std::clamp<int64_t>(validFrom - t, 0, n));
        std::fill(dst, dst + silent, 0.0f);
        const int64_t at = (t + silent) & mask;
        const int64_t first = std::min<int64_t>(n - silent, mask + 1 - at);
        std::copy_n(s + at, first, dst + silent);
        std::copy_n(s, n - silent - first, dst + silent + first);
    }
};

// Everything the audio thread processes with: built and prepared on the control thread, handed over through
// an atomic pointer, and returned through a ring to be freed on the control thread.
struct Graph {
    int rate = 48000;
    std::vector<std::unique_ptr<StemChain>> stems;
    MasterChain stereoMaster, stemMaster;
    // The match stages' kernels as the graph was built (later ones come with Params), per master.
    std::unique_ptr<dsp::MatchKernels> matchKernels[2];
    bool hasMix = false, hasReference = false, hasStems = false;
    double stereoGainDb = 0, stemGainDb = 0;
    int latency = 0;     // of the masters' outputs behind the sources: stemLatency + the master chain's
    int stemLatency = 0; // of the stem sum behind the sources (alignStemLatencies); the mix is delayed alike
    std::vector<int> keySource; // per stem: the stem whose source keys it (stemKeySources), or -1
    History history;
    int64_t t = 0; // frames processed since the graph was built (the history's clock)
    // A master chain is warm when it has processed every frame up to t, so its state is what continuous
    // playback would have. An idle master goes cold and is warmed from the history before it is heard.
    struct MasterState {
        bool warm = true;
        bool priming = false;
        int64_t cursor = 0;
    } masterState[2];
    int warmupFrames = 0;
    bool compressorOn[MeterFrame::kMaxMeteredStems] = {}; // per stem, for its gain-reduction meter
    // Each stem's last computed block after its chain, for its level meter: the louder channel's peak and
    // the sum of squares over both channels (computeSources writes them).
    float stemBlockPeak[MeterFrame::kMaxMeteredStems] = {};
    double stemBlockSumSq[MeterFrame::kMaxMeteredStems] = {};
    // The sources' frames of the block being computed, two channels per source in the disk reader's order
    // (stems, mix, reference): the caller fills them before computeSources.
    std::vector<std::vector<float>> input;
    float* in(int source, int channel) { return input[static_cast<size_t>(2 * source + channel)].data(); }
    double appliedGainDb[2] = {0, 0};   // the limiter input gain each master was last given (audio thread)
    dsp::PlaybackSimulation simulation; // last, on the device's side of the meters
    std::vector<float> buf[20];
    // clang-format off
    enum { L0, R0, SumL, SumR, MixL, MixR, StereoL, StereoR, StemL, StemR, RefL, RefR, DeltaL, DeltaR, CodecL,
           CodecR, PrimeL, PrimeR, KeyL, KeyR };
    // clang-format on
    float* b(int i) { return buf[i].data(); }
    MasterChain& master(int m) { return m == 0 ? stereoMaster : stemMaster; }
};

// The masters: 0 = stereo master (fed by the mix), 1 = stem master (fed by the stems' sum).
constexpr int kStereoMasterChain = 0, kStemMasterChain = 1;
inline int masterOf(int source) {
    switch (static_cast<MonitorSource>(source)) {
    case MonitorSource::StereoMaster:
        return kStereoMasterChain;
    case MonitorSource::StemMaster:
        return kStemMasterChain;
    default:
        return -1;
    }
}
constexpr unsigned kAllSources = (1u << kMonitorSourceCount) - 1;
// An idle master is warmed over this much of what was played before it is heard: several times the default
// compressor attack (10 ms) and limiter release, so its gain has settled where continuous playback has it.
constexpr double kWarmupSeconds = 0.2;
// Warming runs at up to this many frames per frame of the callback (about a fifth of the period for a full
// master chain at 64 frames): a switch to a master that was idle completes in ~kWarmupSeconds / 7.
constexpr int kWarmupSpeed = 8;

// A settings change that needs no prepare: applied by the audio thread with configure().
// New match kernels (the amount or a part changed) come with it, one per master, or none when the curve is
// unchanged; the audio thread keeps a replaced Params alive while a master may still read its kernels.
struct Params {
    Session session;
    std::vector<char> audible;
    std::unique_ptr<dsp::MatchKernels> matchKernels[2];
    bool hasMatchKernels() const { return matchKernels[0] || matchKernels[1]; }
    std::vector<int> keySource;
};
// Replaced Params whose kernels a master may still read (at most the current and a crossfading one, and one
// more while the next arrives).
constexpr int kLingeringParams = 4;

} // namespace lathe::core::engine

#pragma once

#include "AudioBlock.h"
#include "BandSplitter.h"
#include "Compressor.h"

#include <array>
#include <vector>

namespace lathe::dsp {

// 2-4 band compressor: a Linkwitz-Riley band splitter (BandSplitter.h), one Compressor per band, bands summed
// back. With every band at ratio 1 the result is the splitter's allpass sum: flat magnitude, crossover phase.
//
// A disabled band is still split and summed (so toggling it does not change the phase of the other bands),
// but its compressor is bypassed; it restarts from zero reduction when enabled again.
class MultibandCompressor {
public:
    static constexpr int kMaxBands = BandSplitter::kMaxBands;

    // Allocates the band buffers for maxBlockFrames x numChannels. Larger blocks are processed in chunks.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    void reset();
    void process(const AudioBlock& block);

    // count = bands - 1 (1..3), ascending Hz; see BandSplitter::setCrossoverFrequencies. No allocation.
    void setCrossoverFrequencies(const double* hz, int count);
    double crossoverFrequency(int index) const { return splitter_.crossoverFrequency(index); }
    int numBands() const { return splitter_.numBands(); }

    void setBandParameters(int band, const CompressorParameters& parameters);
    const CompressorParameters& bandParameters(int band) const;
    void setBandEnabled(int band, bool enabled);
    bool bandEnabled(int band) const;

    // Current gain reduction of one band (0 when the band is disabled or beyond numBands()), for meters.
    double bandGainReductionDb(int band) const;
    double bandMaxGainReductionDb(int band) const;
    void resetGainReductionStats();

private:
    void processChunk(const AudioBlock& chunk);

    BandSplitter splitter_;
    std::array<Compressor, kMaxBands> compressors_{};
    std::array<bool, kMaxBands> enabled_{true, true, true, true};
    std::vector<float> bandStorage_; // [band][channel][frame], maxBlockFrames_ frames each
    int maxBlockFrames_ = 0;
    int numChannels_ = 0;
};

} // namespace lathe::dsp

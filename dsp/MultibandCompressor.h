#pragma once

#include "AudioBlock.h"
#include "BandSplitter.h"
#include "Compressor.h"
#include "MeterValue.h"

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

    // Allocates the band buffers for maxBlockFrames x numChannels (room for kMaxBands, so the band count
    // can change while running). Larger blocks are processed in chunks. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels);
    // Clears the splitter, the compressors and the meters. RT safe.
    void reset();
    // In place. RT safe.
    void process(const AudioBlock& block);

    // count = bands - 1 (1..3), ascending Hz; see BandSplitter::setCrossoverFrequencies (a new band count
    // clears the splitter's state). RT safe (no allocation).
    void setCrossoverFrequencies(const double* hz, int count);
    // The band layout. RT safe.
    double crossoverFrequency(int index) const { return splitter_.crossoverFrequency(index); }
    int numBands() const { return splitter_.numBands(); }

    // From the next processed sample. RT safe.
    void setBandParameters(int band, const CompressorParameters& parameters);
    // RT safe.
    const CompressorParameters& bandParameters(int band) const;
    // A band enabled again starts from no reduction. RT safe.
    void setBandEnabled(int band, bool enabled);
    // RT safe.
    bool bandEnabled(int band) const;

    // Meters, readable from any thread (relaxed atomics, updated once per block and when the layout
    // changes): a band's reduction at the end of the last block (0 when the band is disabled or beyond
    // numBands()) and its largest since resetMeters(), positive dB. RT safe.
    double bandGainReductionDb(int band) const;
    double bandMaxGainReductionDb(int band) const;
    // Restarts every band's largest reduction. RT safe.
    void resetMeters();

private:
    void processChunk(const AudioBlock& chunk);
    void publishMeters();

    BandSplitter splitter_;
    std::array<Compressor, kMaxBands> compressors_{};
    std::array<bool, kMaxBands> enabled_{true, true, true, true};
    std::vector<float> bandStorage_; // [band][channel][frame], maxBlockFrames_ frames each
    int maxBlockFrames_ = 0;
    int numChannels_ = 0;
    std::array<MeterValue, kMaxBands> bandReductionDb_{};
    std::array<MeterValue, kMaxBands> bandMaxReductionDb_{};
};

} // namespace lathe::dsp

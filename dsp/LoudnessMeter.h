#pragma once

#include "AudioBlock.h"

#include <memory>
#include <vector>

namespace lathe::dsp {

// ITU-R BS.1770-4 / EBU R128 loudness meter (Tech 3341 "EBU mode", Tech 3342 loudness range) built on
// libebur128.
//
// Channel layout follows libebur128's default map: 1 = mono (counted once, so a mono file reads 3 LU below
// the same signal on two channels, as BS.1770 requires), 2 = L R, 3 = L R C, 4 = L R Ls Rs, 5 = L R C Ls Rs
// (surrounds weighted +1.5 dB).
//
// libebur128 runs in histogram mode: integrated loudness and LRA come from 0.1 LU bins instead of a growing
// list of block energies, so process() never allocates. The quantisation costs at most +-0.05 LU.
//
// Readings are refreshed on a 100 ms grid of audio since reset() (Tech 3341 asks for >= 10 Hz): process()
// feeds the library in sub-chunks that end on that grid and evaluates there, so maxMomentaryLufs() /
// maxShortTermLufs() do not depend on the host's block size. Silence and "not enough audio yet" read
// kSilenceDb (-200), never -inf. True peak is libebur128's BS.1770-4 meter (4x polyphase interpolation below
// 96 kHz, 2x below 192 kHz).
class LoudnessMeter {
public:
    enum Features {
        Momentary = 1,
        ShortTerm = 2,
        Integrated = 4,
        Range = 8,
        SamplePeak = 16,
        TruePeak = 32,
        All = 63
    };

    LoudnessMeter();
    ~LoudnessMeter();
    LoudnessMeter(LoudnessMeter&&) noexcept;
    LoudnessMeter& operator=(LoudnessMeter&&) noexcept;

    // numChannels 1..5. Allocates the libebur128 state and the interleaving scratch.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels, int features = All);
    // libebur128 (1.2) has no way to clear a state, so reset() builds a fresh one: it allocates. Call it from
    // the control side (transport stop, "reset meters" button), not inside the audio callback.
    void reset();
    // Reads the audio, never modifies it. Allocation-free.
    void process(const AudioBlock& block);

    double momentaryLufs() const { return momentaryLufs_; }
    double shortTermLufs() const { return shortTermLufs_; }
    double integratedLufs() const { return integratedLufs_; }
    double loudnessRangeLu() const { return loudnessRangeLu_; }
    double maxMomentaryLufs() const { return maxMomentaryLufs_; }
    double maxShortTermLufs() const { return maxShortTermLufs_; }
    // Maximum over channels since reset().
    double samplePeakDbfs() const;
    double truePeakDbtp() const;

    int features() const { return features_; }
    int numChannels() const { return numChannels_; }

private:
    struct State; // owns the libebur128 handle (an anonymous C struct, so it cannot be forward-declared here)

    void createState();
    void clearReadings();
    void feed(const AudioBlock& chunk);
    void evaluate();

    std::unique_ptr<State> state_;
    std::vector<float> interleaved_;
    double sampleRate_ = 48000.0;
    int maxBlockFrames_ = 0;
    int numChannels_ = 0;
    int features_ = All;
    int framesPerEvaluation_ = 4800;
    int framesUntilEvaluation_ = 4800;

    double momentaryLufs_ = -200.0;
    double shortTermLufs_ = -200.0;
    double integratedLufs_ = -200.0;
    double loudnessRangeLu_ = 0.0;
    double maxMomentaryLufs_ = -200.0;
    double maxShortTermLufs_ = -200.0;
};

} // namespace lathe::dsp

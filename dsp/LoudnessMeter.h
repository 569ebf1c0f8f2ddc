#pragma once

#include "AudioBlock.h"
#include "MeterValue.h"

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

    // Destruction and move assignment free the libebur128 state: not RT safe.
    LoudnessMeter();
    ~LoudnessMeter();
    LoudnessMeter(LoudnessMeter&&) noexcept;
    LoudnessMeter& operator=(LoudnessMeter&&) noexcept;

    // numChannels 1..5. Allocates the libebur128 state and the interleaving scratch. Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, int numChannels, int features = All);
    // libebur128 (1.2) has no way to clear a state, so reset() builds a fresh one: it allocates. Not RT safe:
    // call it from the control side (transport stop, "reset meters" button) while process() does not run.
    void reset();
    // Reads the audio, never modifies it. RT safe (no allocation).
    void process(const AudioBlock& block);

    // Meters, readable from any thread (relaxed atomics): the loudness readings are updated on the 100 ms
    // grid, the peaks (maximum over channels since reset()) at the end of every process(). RT safe.
    double momentaryLufs() const { return momentaryLufs_.load(); }
    double shortTermLufs() const { return shortTermLufs_.load(); }
    double integratedLufs() const { return integratedLufs_.load(); }
    double loudnessRangeLu() const { return loudnessRangeLu_.load(); }
    double maxMomentaryLufs() const { return maxMomentaryLufs_.load(); }
    double maxShortTermLufs() const { return maxShortTermLufs_.load(); }
    double samplePeakDbfs() const { return samplePeakDbfs_.load(); }
    double truePeakDbtp() const { return truePeakDbtp_.load(); }

    // As prepared. RT safe.
    int features() const { return features_; }
    int numChannels() const { return numChannels_; }

private:
    struct State; // owns the libebur128 handle (an anonymous C struct, so it cannot be forward-declared here)

    void createState();
    void clearReadings();
    void feed(const AudioBlock& chunk);
    void evaluate();
    // The library's peak over channels (its true peak when truePeak), in dB.
    double libraryPeakDb(bool truePeak) const;

    std::unique_ptr<State> state_;
    std::vector<float> interleaved_;
    double sampleRate_ = 48000.0;
    int maxBlockFrames_ = 0;
    int numChannels_ = 0;
    int features_ = All;
    int framesPerEvaluation_ = 4800;
    int framesUntilEvaluation_ = 4800;

    MeterValue momentaryLufs_{-200.0};
    MeterValue shortTermLufs_{-200.0};
    MeterValue integratedLufs_{-200.0};
    MeterValue loudnessRangeLu_{0.0};
    MeterValue maxMomentaryLufs_{-200.0};
    MeterValue maxShortTermLufs_{-200.0};
    MeterValue samplePeakDbfs_{-200.0};
    MeterValue truePeakDbtp_{-200.0};
};

} // namespace lathe::dsp

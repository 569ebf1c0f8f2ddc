#pragma once

#include "core/model/Session.h"

#include "dsp/AudioBlock.h"
#include "dsp/AutomatedGain.h"
#include "dsp/AutomatedWidth.h"
#include "dsp/Compressor.h"
#include "dsp/DynamicEq.h"
#include "dsp/Gain.h"
#include "dsp/LookaheadDelay.h"
#include "dsp/ParametricEq.h"
#include "dsp/PeakControl.h"
#include "dsp/StereoWidth.h"

#include <cstdint>
#include <vector>

namespace lathe::core {

// One stem's processing, in this order (tests/core/chain/StemChainTest pins it):
//   gain (fader, mute, polarity) -> gain automation -> EQ -> dynamic EQ -> compressor -> width -> width
//   automation -> peak control -> latency compensation.
// The ride follows the fader (a DAW trim lane: what it adds reaches the dynamics like a fader move); the
// dynamic EQ takes the one note out before the compressor hears it; peak control comes last so the ceiling
// holds on what reaches the sum. The same object runs in the offline render and the live engine, so what is
// heard is what is rendered.
//
// Sidechain key: the stem's keyed detectors (dynamic EQ bands and compressor whose key names another stem)
// hear that stem's *source* as delivered, pre-fader and pre-chain, at the same song frame. Why the source
// rather than the key stem's output: no processing order between stems (and no cycles when two stems key
// each other), no latency to align (the key stem's own peak control does not delay the key), and muting or
// soloing the key stem does not change how the keyed stem sounds (as a pre-fader send in a console). The
// caller reads that source beside the stem's own (AudioEngine from its decoded tracks, the render from a
// second stream) and passes it to process().
//
// Latency: peak control delays the stem by its latencyFrames(); every stem of a session is then delayed to
// the largest (setLatencyCompensation, alignStemLatencies) so the sum stays sample-aligned. Switching peak
// control on or off, or its oversampling, changes the latency: that is structural (needsPrepare).
class StemChain {
public:
    // Prepares every unit; peak control as `settings` has it (on or off, oversampling). Not RT safe.
    void prepare(double sampleRate, int maxBlockFrames, const StemSettings& settings = {});
    // Clears every unit and jumps to the set gain. RT safe.
    void reset();
    // Whether going from `prepared` to `next` needs prepare(): peak control switched or re-oversampled.
    static bool needsPrepare(const StemSettings& prepared, const StemSettings& next);

    // Applies settings. `audible` folds in mute and solo (ChainPolicy's stemAudibility: a stem silenced by
    // another's solo ramps out like a mute). Peak control's on/off stays as prepared. RT safe: the engine's
    // audio thread calls it between blocks.
    void configure(const StemSettings& settings, bool audible);

    // Processes frames [startFrame, startFrame + frames) of the song (automation reads the frame, so the
    // render in chunks and the engine at its play position apply the same ride to the same frame). `key`: the
    // key stem's source for the same frames, or nullptr (keyed detectors then hear the stem itself). RT safe.
    void process(const dsp::AudioBlock& stereo, int64_t startFrame = 0, const dsp::AudioBlock* key = nullptr);

    // The chain's own latency (peak control's, when on) and the compensation added after it. RT safe.
    int latencyFrames() const { return peakControlOn_ ? peakControl_.latencyFrames() : 0; }
    int compensationFrames() const { return compensation_.delayFrames(); }
    // Delays the output by `frames` more. Not RT safe (allocates); call after prepare().
    void setLatencyCompensation(int frames);

    // Meters, readable from any thread: the compressor's reduction (dB >= 0), each dynamic EQ band's gain
    // (dB, negative = cut; 0 for bands that are off), peak control's reduction (dB >= 0, 0 when off).
    double compressorGainReductionDb() const { return compressor_.gainReductionDb(); }
    double dynamicEqBandGainDb(int band) const { return dynamicEq_.bandGainDb(band); }
    double peakReductionDb() const { return peakControlOn_ ? peakControl_.reductionDb() : 0.0; }
    // Whether any detector hears the key input. RT safe.
    bool keyed() const { return keyed_; }

private:
    dsp::Gain gain_;
    dsp::AutomatedGain gainRide_;
    dsp::ParametricEq eq_;
    dsp::DynamicEq dynamicEq_;
    dsp::Compressor compressor_;
    dsp::StereoWidth width_;
    dsp::AutomatedWidth widthRide_;
    dsp::PeakControl peakControl_;
    dsp::LookaheadDelay compensation_;
    std::vector<dsp::AutomationPoint> points_; // scratch for handing lanes over, kMaxAutomationPoints
    bool compressorEnabled_ = false;
    bool compressorKeyed_ = false;
    bool dynamicEqEnabled_ = false;
    bool keyed_ = false;
    bool peakControlOn_ = false;
};

// Delays every chain to the largest latency among them, so their sum is aligned, and returns that latency
// (what the sum lags the sources by). The engine and the render both call it. Not RT safe.
int alignStemLatencies(const std::vector<StemChain*>& chains);

} // namespace lathe::core

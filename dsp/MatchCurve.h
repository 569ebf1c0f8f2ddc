#pragma once

#include "FrequencyCurve.h"
#include "MatchAnalysis.h"

#include <vector>

namespace lathe::dsp {

struct MatchCurveSettings {
    // Scales the tone curve in dB: 0 = no correction, 0.5 = half of every dB, 1 = the whole difference.
    double toneAmount = 1.0;
    // The tone curve's limit either way: beyond 12 dB a "match" is repairing a different mix, not mastering
    // it.
    double maxCorrectionDb = 12.0;
    double widthAmount = 1.0;
    // Side gain limit per band. Tighter than the tone's: +6 dB of side already moves a mix's mono fold-down
    // and its phantom centre noticeably.
    double maxWidthCorrectionDb = 6.0;
    // Where the source's (or the reference's) smoothed mid is more than this below its loudest point, there
    // is nothing to correct (a source low-passed at 16 kHz, a reference through a codec's low-pass): the
    // correction fades to 0 dB over the 10 dB above this level, rather than boosting noise by 12 dB.
    double noEnergyBelowDb = 65.0;
    // The range the curve follows the difference in; beyond it the curve holds its edge value (sub-sonic and
    // ultrasonic content is not what a reference is chosen for).
    double lowestHz = 20.0;
    double highestHz = 20000.0;
};

// The side gain of one width band, on top of the tone curve.
struct MatchWidthCorrection {
    double lowHz = 0.0;
    double highHz = 0.0;
    double centreHz = 0.0; // geometric
    double sideGainDb = 0.0;
};

// What to do to the source to make it sound like the reference: the tone curve (applied to mid and side
// alike, so it leaves the stereo image alone), the side's extra gain per band (width), and the gain that then
// brings the loudness to the reference's.
//
// The tone curve is loudness-neutral: it is the smoothed difference of the mids' spectra with the constant
// removed that would change the source's K-weighted loudness, then limited and scaled by the amount (the
// constant is found again after limiting and scaling, so a limited or partial curve is neutral too). Level
// is the loudness part's job, so a reference 8 dB louder does not use up the tone's +-12 dB, and "tone only"
// does not change the loudness.
struct MatchCurve {
    FrequencyCurve tone; // dB on the analysis grid
    FrequencyCurve side; // tone + the width corrections interpolated between band centres: the side's filter
    std::vector<MatchWidthCorrection> width;
    // Reference minus source integrated loudness (LU), 0 when either is silent.
    double loudnessDifferenceDb = 0.0;
    // What the tone and width filters are predicted to change the source's loudness by (K-weighted over its
    // loud passages' spectra): ~0 by construction unless the limits bite or width is boosted.
    double filterLoudnessChangeDb = 0.0;
    // The gain after the filters that brings the source to the reference's integrated loudness.
    double loudnessGainDb = 0.0;
};

// Not RT safe (allocates); cheap (a few hundred points): call it again whenever a setting changes.
MatchCurve computeMatchCurve(const MatchAnalysis& source, const MatchAnalysis& reference,
                             const MatchCurveSettings& settings = {});

struct CurvePoint {
    double frequencyHz = 0.0;
    double gainDb = 0.0;
};

// The curve read at the third-octave centres from lowHz to highHz: what a report or `match --json` shows.
std::vector<CurvePoint> curveAtThirdOctaves(const FrequencyCurve& curve, double lowHz = 20.0,
                                            double highHz = 20000.0);

} // namespace lathe::dsp

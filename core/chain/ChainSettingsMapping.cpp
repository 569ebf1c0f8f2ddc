#include "core/chain/ChainSettingsMapping.h"

#include <algorithm>

namespace lathe::core {

dsp::EqBand toEqBand(const EqBandSettings& s) {
    dsp::EqBand band;
    band.enabled = s.enabled;
    if (!dsp::filterTypeFromName(s.type.c_str(), band.type))
        band.enabled = false; // sessionFromJson rejects unknown types; stay safe if a caller skipped it
    band.frequencyHz = s.frequency_hz;
    band.q = s.q;
    band.gainDb = s.gain_db;
    return band;
}

dsp::DetectionMode toDetectionMode(const std::string& detection) {
    return detection == "rms" ? dsp::DetectionMode::Rms : dsp::DetectionMode::Peak;
}

dsp::CompressorParameters toCompressorParameters(const CompressorSettings& s) {
    dsp::CompressorParameters p;
    p.thresholdDb = s.threshold_db;
    p.ratio = s.ratio;
    p.kneeDb = s.knee_db;
    p.attackMs = s.attack_ms;
    p.releaseMs = s.release_ms;
    p.makeupDb = s.makeup_db;
    p.stereoLink = s.stereo_link;
    p.sidechainHighPassHz = s.sidechain_hpf_hz;
    p.detection = toDetectionMode(s.detection);
    return p;
}

dsp::SaturationMode toSaturationMode(const std::string& mode) {
    return mode == "tape" ? dsp::SaturationMode::Tape : dsp::SaturationMode::SoftClip;
}

void configureEq(dsp::ParametricEq& eq, const std::vector<EqBandSettings>& bands) {
    const int count = std::min<int>(static_cast<int>(bands.size()), dsp::ParametricEq::kMaxBands);
    eq.setNumBands(count);
    for (int i = 0; i < count; ++i)
        eq.setBand(i, toEqBand(bands[static_cast<size_t>(i)]));
}

// clang-format off
// Styles (core/model/SESSION.md):
//   safe        one release time (release_ms), linear attack ramp that also ramps out after the hold: the
//               limiter of version-1 sessions, bit for bit;
//   transparent two-stage release (fast_release_ms for overloads shorter than sustain_ms, release_ms after
//               longer ones), linear onset ramp over the lookahead, recovery as soon as the hold ends: the
//               least gain riding for the loudness and, measured (README), the least fast distortion;
//   punchy      the same with an S-curve onset: the reduction gathers late in the lookahead (2 % of it done
//               after the first tenth, against 10 % for the linear ramp), so more of each transient's lead-in
//               gets through, for about 1 dB more fast distortion.
// The release stages are not structural: LimiterStage::configure sets them.
// clang-format on
dsp::TruePeakLimiter::Config toLimiterConfig(const LimiterSettings& s) {
    dsp::TruePeakLimiter::Config c;
    c.lookaheadMs = s.lookahead_ms;
    c.attackShape = s.style == "punchy" ? dsp::AttackShape::SCurve : dsp::AttackShape::Linear;
    c.rampOnsetOnly = s.style != "safe";
    c.softClipOversampling = s.soft_clip ? 4 : 0;
    c.lowFrequencyCrossoverHz = s.low_frequency_aware && s.style != "safe" ? s.low_frequency_hz : 0.0;
    return c;
}

} // namespace lathe::core

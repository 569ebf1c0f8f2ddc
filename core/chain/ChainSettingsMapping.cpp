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
    band.channels = toBandChannels(s.channel);
    return band;
}

dsp::BandChannels toBandChannels(const std::string& channel) {
    dsp::BandChannels c = dsp::BandChannels::Stereo;
    dsp::bandChannelsFromName(channel.c_str(), c);
    return c;
}

dsp::DynamicEqBand toDynamicEqBand(const DynamicEqBandSettings& s) {
    dsp::DynamicEqBand band;
    band.enabled = s.enabled;
    band.type = s.shape == "low_shelf"    ? dsp::FilterType::LowShelf
                : s.shape == "high_shelf" ? dsp::FilterType::HighShelf
                                          : dsp::FilterType::Bell;
    band.frequencyHz = s.frequency_hz;
    band.q = s.q;
    band.thresholdDb = s.threshold_db;
    band.ratio = s.ratio;
    band.attackMs = s.attack_ms;
    band.releaseMs = s.release_ms;
    band.rangeDb = s.range_db;
    band.mode = s.mode == "boost_below" ? dsp::DynamicEqMode::BoostBelow : dsp::DynamicEqMode::CutAbove;
    band.channels = toBandChannels(s.channel);
    band.listen = s.listen;
    band.keyed = s.key != "self";
    return band;
}

dsp::PeakControlParameters toPeakControlParameters(const PeakControlSettings& s) {
    dsp::PeakControlParameters p;
    p.ceilingDb = s.ceiling_dbtp;
    return p;
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

bool configureDynamicEq(dsp::DynamicEq& eq, const std::vector<DynamicEqBandSettings>& bands) {
    bool any = false;
    for (int i = 0; i < eq.numBands(); ++i) {
        dsp::DynamicEqBand band;
        if (i < static_cast<int>(bands.size())) band = toDynamicEqBand(bands[static_cast<size_t>(i)]);
        any = any || band.enabled;
        eq.setBand(i, band); // keeps the band's state unless it is switched on or changes shape or input
    }
    return any;
}

// clang-format off
// Styles (core/model/SESSION.md):
//   safe        one release time (release_ms), linear attack ramp that also ramps out after the hold: the
//               limiter of version-1 sessions, bit for bit;
//   transparent two-stage release (fast_release_ms for overloads shorter than sustain_ms, release_ms after
//               longer ones), linear onset ramp and fast release whose lengths follow the overload's depth
//               (limiterOnset), recovery as soon as the hold ends: the least gain riding for the loudness and,
//               measured (README), the least fast distortion;
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
    c.shortAttackMs = limiterOnset(s).shortAttackMs;
    c.softClipOversampling = s.soft_clip ? 4 : 0;
    c.lowFrequencyCrossoverHz = s.low_frequency_aware && s.style != "safe" ? s.low_frequency_hz : 0.0;
    return c;
}

// Measured with tests/bench/limiter-vs-peers.sh (README, 2026-12-07): shallow overloads (up to 3 dB) ramped
// over 1.5 ms instead of the whole lookahead cost less input gain for the same loudness; deep ones (7 dB on)
// keep the whole lookahead, whose longer ramp keeps deep limiting's fast distortion low. A 2.5 ms short ramp,
// or 3.5 / 9.5 dB, missed x42's residual on axe80s at -10 LUFS or its fast distortion on the demo at -8.
// The release follows the same split (second run of the day): shallow reductions recover in 0.45 x
// fast_release_ms (6.75 ms at the default 15 ms), deep ones in fast_release_ms. One 5 ms release for all
// won 0.1-0.3 LU of range but cost 1.2-2.9 dB of fast distortion (above x42's in 6 of 8 renders at -10 and
// -8 LUFS); 7.2 ms for shallow and 16 ms for deep kept every fast distortion under x42's (demo -8: -40.6
// against -40.1 dB) with 0.1-0.2 LU more range on shovon and axe80s than one 10 ms release. 15 ms (third
// run) brought shovon -8 to LSP's range (2.0 LU) with the demo at -8 still under x42's fast distortion
// (-40.2 against -40.1 dB); 14.5 ms went over it. Faster still only costs distortion: README, "what each
// idea did".
LimiterOnset limiterOnset(const LimiterSettings& s) {
    if (s.style == "safe") return {};
    return {1.5, 3.0, 7.0, 0.45};
}

} // namespace lathe::core

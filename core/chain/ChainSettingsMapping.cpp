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

} // namespace lathe::core

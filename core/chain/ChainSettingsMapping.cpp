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

} // namespace lathe::core

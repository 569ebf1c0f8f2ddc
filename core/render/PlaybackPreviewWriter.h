#pragma once

#include "dsp/PlaybackSimulation.h"

#include <string>
#include <vector>

namespace lathe::core {

struct PlaybackPreview {
    dsp::PlaybackSystem system = dsp::PlaybackSystem::PhoneSpeaker;
    std::string path;
    // Gain applied after the simulation so the preview does not clip (0, or negative when a model's boost,
    // e.g. the car's bass lift, would push the master's peaks over full scale).
    double gainDb = 0.0;
};

// "<dir>/<name>_<system>.wav" for "<dir>/<name>.wav": song_stereo_master.wav -> song_stereo_master_phone.wav.
std::string playbackPreviewPath(const std::string& masterWav, dsp::PlaybackSystem system);

// Runs a finished master WAV through each playback simulation and writes one 24-bit WAV (TPDF-dithered, same
// rate and length) per system beside it, each under a temporary name renamed when complete. Reads the master
// twice (the first pass finds the simulated peak), holding only a block in memory. Flat is skipped. Throws
// Error naming the file on a read or write failure; previews already written stay.
std::vector<PlaybackPreview> writePlaybackPreviews(const std::string& masterWav,
                                                   const std::vector<dsp::PlaybackSystem>& systems);

} // namespace lathe::core

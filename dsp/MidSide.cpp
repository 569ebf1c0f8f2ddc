#include "MidSide.h"

#include <cstring>

namespace lathe::dsp {
namespace {

constexpr struct {
    BandChannels channels;
    const char* name;
} kNames[] = {{BandChannels::Stereo, "stereo"}, {BandChannels::Mid, "mid"}, {BandChannels::Side, "side"}};

} // namespace

const char* bandChannelsName(BandChannels channels) {
    for (const auto& n : kNames)
        if (n.channels == channels) return n.name;
    return "stereo";
}

bool bandChannelsFromName(const char* name, BandChannels& channels) {
    for (const auto& n : kNames)
        if (std::strcmp(n.name, name) == 0) {
            channels = n.channels;
            return true;
        }
    return false;
}

} // namespace lathe::dsp

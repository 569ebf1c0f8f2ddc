#pragma once

namespace lathe::dsp {

// Which part of a stereo signal an EQ band (static or dynamic) processes. Mid = (L + R) / 2 and side =
// (L - R) / 2, so L = mid + side and R = mid - side with no gain to undo. A band on the mid leaves the side
// as it was (and the reverse): the mastering move for a centred vocal or kick without touching the
// reverb's width, or for the width of a bus without touching its centre.
enum class BandChannels { Stereo, Mid, Side };

// Names used in sessions: "stereo", "mid", "side". RT safe, as the parsing below.
const char* bandChannelsName(BandChannels channels);
// False (and `channels` unchanged) for a name that is not one of the above.
bool bandChannelsFromName(const char* name, BandChannels& channels);

} // namespace lathe::dsp

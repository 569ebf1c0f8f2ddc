#pragma once

#include "core/analysis/Advisor.h"
#include "core/analysis/MatchSession.h"
#include "core/io/ClientFolder.h"

#include "dsp/MatchAnalysis.h"

#include <vector>

namespace lathe::core {

// Whole-song findings from the client's reference (issue 18): a mix whose tone or width is far from the
// rough master the client likes is a stereo-mastering job (a match or an EQ move on the whole song), never a
// reason for stems, so these add reasons and leave the recommendation alone.

// Tone: the loudness-neutral match curve (unlimited, full amount) over 60 Hz - 14 kHz at the third-octave
// centres; a finding when a centre is at least kToneFindingDb away, naming the largest. Width: a finding when
// a band's side/mid differs by at least kWidthFindingDb. Loudness: a finding at kLoudnessFindingLu or more.
constexpr double kToneFindingDb = 3.0;
constexpr double kWidthFindingDb = 3.0;
constexpr double kLoudnessFindingLu = 6.0;
std::vector<AdviceReason> referenceReasons(const dsp::MatchAnalysis& mix,
                                           const dsp::MatchAnalysis& reference);

// The folder's mix against its reference (analyses cached; the curve at the default match settings); inactive
// when the folder lacks either. Throws Error naming a file that cannot be read.
MasterMatch folderReferenceMatch(const FolderScan& scan);
// The hook advise's callers use: appends referenceReasons to advice.reasons (nothing for an inactive match).
void addReferenceFindings(Advice& advice, const MasterMatch& match);

} // namespace lathe::core

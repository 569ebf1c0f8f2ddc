#pragma once

#include "core/io/ClientFolder.h"
#include "core/model/Session.h"

#include <optional>
#include <string>

// The rules on which a render refuses to make a master, as functions: `render`, `session new`, `batch`,
// `advise` and `validate` call the same ones, so a delivery `validate` passes is one `render` masters (and
// what `render` refuses, `validate` fails and `advise` will not judge).
namespace lathe::core {

// Below this integrated loudness BS.1770's gating (its absolute gate is -70 LUFS) has left nothing: the
// programme is silence as far as loudness goes.
constexpr double kSilentLufs = -69.0;

// The most gain loudness targeting applies ahead of the limiter. The quietest programme a mastering engineer
// is sent (a dynamic classical recording near -35 LUFS) reaches the loudest target Lathe accepts (-3 LUFS)
// with 32 dB; a programme that needs more than 40 dB is not programme but DC, sub-audible rumble, or a
// near-silent bounce, and that much gain would also lift a 16-bit source's noise floor (-96 dBFS) above -56
// dBFS.
constexpr double kMaxLoudnessGainDb = 40.0;

// A source whose audible part (SubAudibleMeter: above about 12-20 Hz) is this far below its whole level holds
// 99 % of its energy where no one hears it...
constexpr double kSubAudibleShareDb = -20.0;
// ...and refuses a render when that energy is above this level (dBFS, mean square): the level at which
// `validate` calls a DC offset a waste of headroom. Below it the file is as good as silent.
constexpr double kSubAudibleLevelDb = -50.0;

// Why a folder cannot be mastered as scanned: every file the scan could not use, with its problem (a folder
// is never mastered, or judged by `advise`, with a part of the song silently left out). nullopt when there
// are none.
std::optional<std::string> unusableFilesRefusal(const FolderScan& scan);
// Throws Error(scan.folder, that sentence) when there is one.
void refuseUnusableFiles(const FolderScan& scan);

// Why a programme (the mix, the stems' sum) of this integrated loudness cannot be mastered to targetLufs:
// silence, or more than kMaxLoudnessGainDb of gain. `programme` names it at the start of the sentence ("the
// mix"), `deliverable` what it would become ("the stereo master"). nullopt when it can.
std::optional<std::string> loudnessRefusal(const std::string& programme, const std::string& deliverable,
                                           double integratedLufs, double targetLufs);

// Loudness targeting puts at most the lower of two drives into the limiter: kMaxLoudnessGainDb, and the
// drive that reaches the target with loudness.max_limiting_db of limiting (limiting cost = pre-limiter
// loudness + drive - output loudness; the session accepts max_limiting_db up to kMaxLimitingDb, which is
// this limit). A target still short at the first is refused (gainRefusal), at the second the render
// stops there and warns (limitingCapWarning).
static_assert(kMaxLimitingDb <= kMaxLoudnessGainDb);

// Why loudness targeting stops: with kMaxLoudnessGainDb into the limiter `deliverable` reached only
// reachedLufs, short of targetLufs, the limiter taking limitingCostDb of loudness away. Names the
// deliverable and the figures.
std::string gainRefusal(const std::string& deliverable, double targetLufs, double reachedLufs,
                        double limitingCostDb);

// The render's warning when loudness targeting stopped at loudness.max_limiting_db: `kind` (the report's
// "stereo_master") reached reachedLufs, short of targetLufs, the limiter already taking limitingCostDb away.
std::string limitingCapWarning(const std::string& kind, double targetLufs, double maxLimitingDb,
                               double reachedLufs, double limitingCostDb);

// Why a source cannot be mastered from: it is DC or sub-audible only (SubAudibleMeter's level and audible
// share against the constants above). The problem, to follow the file's name ("is DC or sub-audible only:
// ..."); nullopt when the source is fine.
std::optional<std::string> subAudibleRefusal(double levelDb, double audibleShareDb);

} // namespace lathe::core

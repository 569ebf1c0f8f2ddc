#pragma once

#include <string_view>

namespace lathe::core {

// What a stem carries, as far as the mastering chain cares: it picks default processing and lets the UI group
// stems. "other" is an honest answer for a name Lathe does not understand, never a guess.
enum class StemRole { Drums, Bass, Music, LeadVocal, BackingVocals, Fx, Other };

// "drums", "bass", "music", "lead_vocal", "backing_vocals", "fx", "other": the spelling used in sessions and
// JSON.
const char* stemRoleName(StemRole role);
// Exact (case-sensitive) inverse of stemRoleName; false for anything else.
bool stemRoleFromName(std::string_view name, StemRole& role);

} // namespace lathe::core

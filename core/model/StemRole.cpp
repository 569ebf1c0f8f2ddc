#include "core/model/StemRole.h"

#include <array>
#include <utility>

namespace lathe::core {

namespace {
constexpr std::array<std::pair<StemRole, std::string_view>, 7> kRoleNames{{
    {StemRole::Drums, "drums"},
    {StemRole::Bass, "bass"},
    {StemRole::Music, "music"},
    {StemRole::LeadVocal, "lead_vocal"},
    {StemRole::BackingVocals, "backing_vocals"},
    {StemRole::Fx, "fx"},
    {StemRole::Other, "other"},
}};
} // namespace

const char* stemRoleName(StemRole role) {
    for (const auto& [r, name] : kRoleNames)
        if (r == role) return name.data();
    return "other";
}

bool stemRoleFromName(std::string_view name, StemRole& role) {
    for (const auto& [r, n] : kRoleNames)
        if (n == name) {
            role = r;
            return true;
        }
    return false;
}

} // namespace lathe::core

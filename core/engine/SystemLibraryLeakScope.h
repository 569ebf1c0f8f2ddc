#pragma once

// Probing the host's sound system (Pa_Initialize walks every ALSA PCM) dlopens ALSA plugins; their libraries'
// static initialisers (the a52 plugin alone pulls in libavcodec and its codecs) keep blocks for the life of
// the process. The plugins are dlclosed again, so by exit LeakSanitizer can neither name the module nor match
// a suppression, and it fails any process that lists devices. This scope tells LSan to ignore blocks
// allocated on this thread while the system library runs. It is for calls into system libraries only; Lathe's
// own allocations stay checked because nothing of ours runs inside the scope.
#if defined(__SANITIZE_ADDRESS__)
#define LATHE_HAS_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LATHE_HAS_LSAN 1
#endif
#endif

#if defined(LATHE_HAS_LSAN)
#include <sanitizer/lsan_interface.h>
#endif

namespace lathe::core {

#if defined(LATHE_HAS_LSAN)
using SystemLibraryLeakScope = __lsan::ScopedDisabler;
#else
class SystemLibraryLeakScope {
public:
    SystemLibraryLeakScope() = default;
    SystemLibraryLeakScope(const SystemLibraryLeakScope&) = delete;
    SystemLibraryLeakScope& operator=(const SystemLibraryLeakScope&) = delete;
};
#endif

} // namespace lathe::core

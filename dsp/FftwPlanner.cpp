#include "FftwPlanner.h"

namespace lathe::dsp {

std::mutex& fftwPlannerMutex() {
    static std::mutex m;
    return m;
}

} // namespace lathe::dsp

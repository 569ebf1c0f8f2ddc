#include "GainComputer.h"

#include <algorithm>

namespace lathe::dsp {

double compressorGainDb(double inputLevelDb, double thresholdDb, double ratio, double kneeDb) {
    const double slope = 1.0 / std::max(ratio, 1.0) - 1.0;
    const double knee = std::max(kneeDb, 0.0);
    const double overshoot = inputLevelDb - thresholdDb;
    if (2.0 * overshoot <= -knee) return 0.0;
    if (2.0 * overshoot >= knee) return slope * overshoot;
    const double intoKnee = overshoot + knee / 2.0;
    return slope * intoKnee * intoKnee / (2.0 * knee);
}

} // namespace lathe::dsp

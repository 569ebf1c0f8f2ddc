#include "FrequencyCurve.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace lathe::dsp {

double FrequencyCurve::gainDbAt(double hz) const {
    assert(frequencyHz.size() == gainDb.size());
    if (frequencyHz.empty()) return 0.0;
    if (hz <= frequencyHz.front()) return gainDb.front();
    if (hz >= frequencyHz.back()) return gainDb.back();
    const auto upper = std::upper_bound(frequencyHz.begin(), frequencyHz.end(), hz);
    const auto i = static_cast<std::size_t>(upper - frequencyHz.begin());
    const double f0 = frequencyHz[i - 1], f1 = frequencyHz[i];
    const double t = std::log(hz / f0) / std::log(f1 / f0);
    return gainDb[i - 1] + t * (gainDb[i] - gainDb[i - 1]);
}

std::vector<double> thirdOctaveCentres(double lowHz, double highHz) {
    std::vector<double> centres;
    // A tenth of a third-octave step of slack so a limit given as a rounded nominal (20000) keeps its band.
    const int first = static_cast<int>(std::ceil(10.0 * std::log10(lowHz / 1000.0) - 0.1));
    const int last = static_cast<int>(std::floor(10.0 * std::log10(highHz / 1000.0) + 0.1));
    for (int n = first; n <= last; ++n)
        centres.push_back(1000.0 * std::pow(10.0, n / 10.0));
    return centres;
}

std::vector<double> logFrequencyGrid(double lowHz, double highHz, int pointsPerOctave) {
    std::vector<double> grid;
    const int count = static_cast<int>(std::floor(std::log2(highHz / lowHz) * pointsPerOctave + 1e-9)) + 1;
    grid.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i)
        grid.push_back(lowHz * std::exp2(static_cast<double>(i) / pointsPerOctave));
    return grid;
}

} // namespace lathe::dsp

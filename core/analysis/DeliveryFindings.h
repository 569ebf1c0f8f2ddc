#pragma once

#include "core/analysis/DeliveryChecks.h"
#include "core/analysis/Finding.h"
#include "core/io/ClientFolder.h"

#include <vector>

namespace lathe::core {

// A stem the mix holds this far below its file (fitted gain) is not in the mix at all.
constexpr double kStemNotInMixDb = -30.0;

// What is wrong with a delivery, file by file, from the scan and the checks' measurements: each fault named
// on the file that has it, with its figure, a confidence and how to re-export it. What the delivery's files
// cannot be mastered from without a new export calls for FixDelivery; what is wrong at the source (a take
// clipped into the mix, limiting or clipping printed on the mix bus, a file out of phase with itself) calls
// for MixRevision; a DC offset is only noted (mastering's high-pass removes it).
std::vector<Finding> deliveryFindings(const FolderScan& scan, const ValidationReport& report);

} // namespace lathe::core

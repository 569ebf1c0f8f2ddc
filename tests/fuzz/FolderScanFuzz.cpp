// libFuzzer entry point for the FolderScan path; the work is in FuzzHarness.h so regressions replay without
// libFuzzer.
#include "FuzzHarness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    lathe::fuzz::runFolderScan(data, size);
    return 0;
}

// Writes the diagnosis benchmark's labelled folders (issue 17; tests/support/LabelledFolders) and their
// labels, for tests/bench/diagnosis-table.py:
//
//   lathe-bench-folders OUTDIR [CASE...]      (every case when none is named)
//
// OUTDIR/<case>/ is a client folder; OUTDIR/labels.tsv has one line per case: folder, expected verdict,
// expected file, expected finding, figure, tolerance, finding kinds that must be absent (comma-separated),
// what was done, "yes" when no stem but the expected file was changed. A labels file written by hand in the
// same format runs the table on real folders.

#include "support/LabelledFolders.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: lathe-bench-folders OUTDIR [CASE...]\n");
        return 2;
    }
    const std::string out = argv[1];
    const std::vector<std::string> only(argv + 2, argv + argc);
    std::filesystem::create_directories(out);
    std::ofstream labels(out + "/labels.tsv");
    labels << "# folder\tverdict\tfile\tfinding\tfigure\ttolerance\tabsent\tdefect\tuntouched\n";
    int written = 0;
    try {
        for (const auto& c : lathe::test::labelledCases()) {
            if (!only.empty() && std::find(only.begin(), only.end(), c.name) == only.end()) continue;
            const std::string dir = out + "/" + c.name;
            std::filesystem::remove_all(dir);
            lathe::test::writeLabelledCase(dir, c);
            std::string absent;
            for (const auto& a : c.absent)
                absent += (absent.empty() ? "" : ",") + a;
            labels << dir << '\t' << c.verdict << '\t' << c.file << '\t' << c.finding << '\t'
                   << (std::isnan(c.figure) ? std::string() : std::to_string(c.figure)) << '\t' << c.tolerance
                   << '\t' << absent << '\t' << c.defect << '\t' << (c.otherStemsUntouched ? "yes" : "no")
                   << '\n';
            std::fprintf(stderr, "wrote %s\n", dir.c_str());
            ++written;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lathe-bench-folders: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "%d folders, labels in %s/labels.tsv\n", written, out.c_str());
    return 0;
}

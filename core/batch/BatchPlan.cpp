#include "core/batch/BatchRunner.h"

#include "core/model/SessionSource.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <sys/stat.h>

namespace lathe::core {
namespace fs = std::filesystem;

namespace {

std::string absoluteInput(const std::string& input) {
    std::error_code ec;
    fs::path p = fs::absolute(fs::path(input), ec).lexically_normal();
    if (ec) p = fs::path(input).lexically_normal();
    if (p.has_relative_path() && p.filename().empty()) p = p.parent_path(); // "Song/" -> "Song"
    return p.string();
}

std::string jobNameOf(const std::string& input) {
    const fs::path p(input);
    std::string name = p.extension() == ".lathe" ? p.stem().string() : p.filename().string();
    return name.empty() || name == "." || name == ".." ? std::string("job") : name;
}

} // namespace

std::vector<BatchJob> planBatch(const std::vector<std::string>& inputs, const std::string& outDir,
                                Shard shard) {
    std::vector<std::string> sorted;
    sorted.reserve(inputs.size());
    for (const auto& input : inputs)
        sorted.push_back(absoluteInput(input));
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    // Two spellings of one folder or session (a link, a hard link, a bind mount) are one job: rendered twice
    // they would race for the same outputs. The spelling kept is the real path where it was given (so the
    // output folder is named after the folder, not after a link to it), else the first in sorted order.
    struct Spelling {
        std::string input;
        bool real = false;
    };
    std::map<std::pair<std::uintmax_t, std::uintmax_t>, Spelling> byIdentity;
    std::vector<std::string> distinct;
    for (const std::string& input : sorted) {
        struct stat st {};
        if (::stat(input.c_str(), &st) != 0) {
            distinct.push_back(input); // left for the job to report
            continue;
        }
        std::error_code ec;
        const bool real = fs::canonical(input, ec).string() == input && !ec;
        const auto [it, added] = byIdentity.try_emplace(
            {static_cast<std::uintmax_t>(st.st_dev), static_cast<std::uintmax_t>(st.st_ino)},
            Spelling{input, real});
        if (!added && real && !it->second.real) it->second = {input, true};
    }
    for (const auto& [identity, spelling] : byIdentity)
        distinct.push_back(spelling.input);
    std::sort(distinct.begin(), distinct.end());
    sorted = std::move(distinct);

    std::set<std::string> used;
    std::vector<BatchJob> jobs;
    for (size_t i = 0; i < sorted.size(); ++i) {
        const std::string base = jobNameOf(sorted[i]);
        std::string name = base;
        for (int n = 2; used.count(name); ++n)
            name = base + "_" + std::to_string(n);
        used.insert(name);
        if (!shard.contains(i)) continue;
        jobs.push_back({sorted[i], name, (fs::path(outDir) / name).string(), i});
    }
    return jobs;
}

WritePlan batchWritePlan(const std::vector<std::string>& inputs, const std::string& outDir,
                         const std::string& summaryName) {
    WritePlan plan;
    plan.outDir = outDir;
    plan.outputs.push_back((fs::path(outDir) / summaryName).string());
    for (const auto& input : inputs)
        addInputSources(plan.sources, input);
    return plan;
}

} // namespace lathe::core
